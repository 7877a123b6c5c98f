// Lints every file given with dockerfile-utils' validate() in one node
// process (its CLI takes one file per process), for bench/lint.sh.
// NODE_PATH must name the node_modules folder holding dockerfile-utils.
'use strict';
const fs = require('fs');
const {validate} = require('dockerfile-utils');
let n = 0;
for (const f of process.argv.slice(2))
    n += validate(fs.readFileSync(f, 'utf8')).length;
console.log(`${n} diagnostics`);
