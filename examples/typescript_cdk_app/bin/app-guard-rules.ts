#!/usr/bin/env node
// The same app judged inside synth by cfn-guard, with the rules `sm-guardrails export guard`
// wrote into sm-guardrails.guard: `cdk synth --app "npx ts-node --prefer-ts-exts bin/app-guard-rules.ts"`.
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App } from 'aws-cdk-lib';
import { addNotebookStacks } from '../lib/notebook-stacks';

const app = new App({
  policyValidationBeta1: [
    new CfnGuardValidator({
      controlTowerRulesEnabled: false,
      rules: [path.join(__dirname, '..', 'sm-guardrails.guard')],
    }),
  ],
});
addNotebookStacks(app);
