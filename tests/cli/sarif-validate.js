// Validates SARIF files against the SARIF 2.1.0 JSON schema (draft-04) that
// the npm package @microsoft/jest-sarif ships, with ajv 6. Used by
// tests/cli/lint_formats.sh; NODE_PATH must name the node_modules folder.
// Usage: node sarif-validate.js FILE...
'use strict';
const fs = require('fs');
const path = require('path');
const Ajv = require('ajv');
const schemaFile = path.join(path.dirname(require.resolve('@microsoft/jest-sarif/package.json')),
                             'lib/schemas/sarif-2.1.0-rtm.5.json');
const ajv = new Ajv({schemaId: 'id', allErrors: true, unknownFormats: 'ignore', logger: false});
ajv.addMetaSchema(require('ajv/lib/refs/json-schema-draft-04.json'));
const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaFile, 'utf8')));
let failed = 0;
for (const f of process.argv.slice(2)) {
    const data = JSON.parse(fs.readFileSync(f, 'utf8'));
    if (validate(data)) {
        console.log(`valid: ${f}`);
    } else {
        failed++;
        console.log(`invalid: ${f}`);
        for (const e of validate.errors) console.log(`  ${e.dataPath} ${e.message}`);
    }
}
process.exit(failed ? 1 : 0);
