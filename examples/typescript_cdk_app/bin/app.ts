#!/usr/bin/env node
// The app as cdk.json runs it: `sm-guardrails cdk-app -- ...` judges what it synthesizes.
import { App } from 'aws-cdk-lib';
import { addNotebookStacks } from '../lib/notebook-stacks';

const app = new App();
addNotebookStacks(app);
