"""Two notebooks whose transforms decide their internet access.

``enabled-by-transform`` is written compliant and a transform turns direct internet
access on; ``fixed-by-transform`` is written with it on and a stack transform turns
it off. With ``broken=true`` a transform raises.
"""

import pulumi
import pulumi_aws as aws

NOTEBOOK = "aws:sagemaker/notebookInstance:NotebookInstance"


def internet_access(value: str):
    def transform(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
        if args.type_ != NOTEBOOK:
            return None
        return pulumi.ResourceTransformResult(
            {**args.props, "directInternetAccess": value}, args.opts
        )

    return transform


def refuse_broken(args: pulumi.ResourceTransformArgs) -> None:
    if args.name == "broken":
        raise ValueError("no notebook may be called broken")


def notebook(name: str, internet: str, opts: pulumi.ResourceOptions | None = None) -> None:
    aws.sagemaker.NotebookInstance(
        name,
        instance_type="ml.t3.medium",
        role_arn="arn:aws:iam::123456789012:role/notebook",
        subnet_id="subnet-0123456789abcdef0",
        security_groups=["sg-0123456789abcdef0"],
        direct_internet_access=internet,
        root_access="Disabled",
        opts=opts,
    )


notebook(
    "enabled-by-transform",
    "Disabled",
    pulumi.ResourceOptions(transforms=[internet_access("Enabled")]),
)
pulumi.runtime.register_resource_transform(internet_access("Disabled"))
notebook("fixed-by-transform", "Enabled")
if pulumi.Config().get_bool("broken"):
    notebook("broken", "Disabled", pulumi.ResourceOptions(transforms=[refuse_broken]))
