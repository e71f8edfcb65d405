#!/usr/bin/env bash
# Build the VS Code extension and package it as a .vsix (npm packages come from the registry;
# no VS Code download is needed). Usage: editors/vscode/build.sh
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
npx tsc -p ./
cp ../../LICENSE LICENSE  # the project's licence ships inside the package
npx @vscode/vsce package --out "iac-lint-$(node -p 'require("./package.json").version').vsix"
ls -l ./*.vsix
