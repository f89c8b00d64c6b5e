import { App, NestedStack, Stack } from 'aws-cdk-lib';
import { CfnNotebookInstance, CfnNotebookInstanceProps } from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';

const COMPLIANT: CfnNotebookInstanceProps = {
  instanceType: 'ml.t3.medium',
  roleArn: 'arn:aws:iam::123456789012:role/notebook',
  directInternetAccess: 'Disabled',
  subnetId: 'subnet-0123456789abcdef0',
  securityGroupIds: ['sg-0123456789abcdef0'],
  rootAccess: 'Disabled',
  kmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  instanceMetadataServiceConfiguration: { minimumInstanceMetadataServiceVersion: '2' },
};

function flag(scope: Construct, name: string): boolean {
  return String(scope.node.tryGetContext(name)).toLowerCase() === 'true';
}

/**
 * SecureNotebookStack: a notebook that passes every sm-guardrails rule.
 *
 * `-c insecure=true` adds InsecureNotebookStack, whose notebook `Notebook` and the notebook of
 * its nested stack `Nested` have direct internet access (SMG-1), as has its notebook `Lab`,
 * exempted from SMG-1 with a reason in its metadata. `-c no-vpc=true` adds
 * NoVpcNotebookStack, whose notebook has neither a subnet nor security groups (SMG-1, SMG-2).
 */
export function addNotebookStacks(app: App): void {
  const secure = new Stack(app, 'SecureNotebookStack');
  new CfnNotebookInstance(secure, 'Notebook', COMPLIANT);
  if (flag(app, 'insecure')) {
    const insecure = new Stack(app, 'InsecureNotebookStack');
    new CfnNotebookInstance(insecure, 'Notebook', { ...COMPLIANT, directInternetAccess: 'Enabled' });
    const lab = new CfnNotebookInstance(insecure, 'Lab', { ...COMPLIANT, directInternetAccess: 'Enabled' });
    lab.addMetadata('sm-guardrails', {
      exemptions: [{ rule: 'SMG-1', reason: 'SEC-42: lab account without VPC endpoints' }],
    });
    const nested = new NestedStack(insecure, 'Nested');
    new CfnNotebookInstance(nested, 'Notebook', { ...COMPLIANT, directInternetAccess: 'Enabled' });
  }
  if (flag(app, 'no-vpc')) {
    const noVpc = new Stack(app, 'NoVpcNotebookStack');
    new CfnNotebookInstance(noVpc, 'Notebook', {
      ...COMPLIANT,
      directInternetAccess: 'Enabled',
      subnetId: undefined,
      securityGroupIds: undefined,
    });
  }
}
