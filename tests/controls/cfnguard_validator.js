// Runs @cdklabs/cdk-validator-cfnguard's CfnGuardValidator, as CDK runs it during synth, on
// each template given: `node cfnguard_validator.js PACKAGE_DIR RULES TEMPLATE...`.
// Prints one JSON object a template: its report, or the error the validator threw.
'use strict';
const path = require('path');
const [packageDir, rules, ...templates] = process.argv.slice(2);
const { CfnGuardValidator } = require(path.resolve(packageDir));
const validator = new CfnGuardValidator({
  controlTowerRulesEnabled: false,
  rules: [path.resolve(rules)],
});
const results = templates.map((template) => {
  try {
    return { template, report: validator.validate({ templatePaths: [path.resolve(template)] }) };
  } catch (error) {
    return { template, error: String(error.message ?? error).replace(/\s+/g, ' ').trim() };
  }
});
process.stdout.write(JSON.stringify(results));
