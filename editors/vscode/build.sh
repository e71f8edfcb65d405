#!/usr/bin/env bash
# Build the VS Code extension and package it as a .vsix (npm packages come from the registry;
# no VS Code download is needed). Usage: editors/vscode/build.sh
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
npx tsc -p ./
npx @vscode/vsce package --skip-license --out "iac-lint-$(node -p 'require("./package.json").version').vsix"
ls -l ./*.vsix
