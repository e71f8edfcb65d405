"""The language server (``iac-lint lsp``); needs the ``lsp`` extra (pygls).

``server`` (document sync, debounced runs, publishing), ``config`` (client settings and each
workspace folder's configuration), ``actions`` and ``fixes``/``edits`` (quick fixes), ``hover``.
"""
