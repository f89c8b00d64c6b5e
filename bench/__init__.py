"""sm-guardrails benchmarks: ``python -m bench`` (``make bench``); ``--smoke`` for a quick check.

Every runner measures the variants it compares side by side in one run, interleaving
their repetitions, and prints medians and ratios. Nothing here asserts a timing.
"""
