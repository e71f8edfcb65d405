"""The language server (``iac-lint lsp``); needs the ``lsp`` extra (pygls)."""
