-- Headless Neovim session for tests/test_lsp_neovim.py: open a template, wait for iac-lint's
-- diagnostics, apply a quick fix for each wanted rule, wait for the re-lint, write the buffer out.
-- Works on Neovim 0.7 (vim.lsp.start_client) and later (vim.lsp.start).
local file = os.getenv("IAC_LINT_TEST_FILE")
local out = os.getenv("IAC_LINT_TEST_OUT")
local python = os.getenv("IAC_LINT_TEST_PYTHON")
-- "CODE=title;CODE=title": the action to take for the first diagnostic of each rule.
local wanted = os.getenv("IAC_LINT_TEST_ACTIONS")

local function finish(status, buf)
  local handle = io.open(out, "w")
  handle:write(status .. "\n")
  if buf then
    for _, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
      handle:write(line .. "\n")
    end
  end
  handle:close()
  vim.cmd("qall!")
end

local function code_of(diagnostic)
  local lsp = diagnostic.user_data and diagnostic.user_data.lsp
  return (lsp and lsp.code) or diagnostic.code
end

-- The diagnostic as the server sent it, rebuilt from Neovim's own form (0.7 keeps only the code).
local function lsp_diagnostic(buf, code)
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if code_of(d) == code then
      return {
        range = {
          start = { line = d.lnum, character = d.col },
          ["end"] = { line = d.end_lnum or d.lnum, character = d.end_col or d.col },
        },
        code = code, message = d.message, source = d.source, severity = d.severity,
      }
    end
  end
  return nil
end

local function run()
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  local config = {
    name = "iac-lint",
    cmd = { python, "-m", "iac_lint", "lsp" },
    root_dir = vim.fn.fnamemodify(file, ":h"),
    init_options = { debounceMs = 0 },
  }
  local client_id
  if vim.lsp.start then
    client_id = vim.lsp.start(config)
  else
    client_id = vim.lsp.start_client(config)
    vim.lsp.buf_attach_client(buf, client_id)
  end
  if not client_id then
    return finish("no client")
  end
  if not vim.wait(30000, function() return #vim.diagnostic.get(buf) > 0 end, 50) then
    return finish("no diagnostics", buf)
  end
  for pair in string.gmatch(wanted, "[^;]+") do
    local code, title = pair:match("^(.-)=(.*)$")
    local diagnostic = lsp_diagnostic(buf, code)
    if not diagnostic then
      return finish("no " .. code .. " diagnostic", buf)
    end
    local params = {
      textDocument = { uri = vim.uri_from_bufnr(buf) },
      range = diagnostic.range,
      context = { diagnostics = { diagnostic } },
    }
    local answers = vim.lsp.buf_request_sync(buf, "textDocument/codeAction", params, 10000) or {}
    local chosen
    for _, answer in pairs(answers) do
      for _, action in ipairs(answer.result or {}) do
        if action.title == title then
          chosen = action
        end
      end
    end
    if not chosen then
      return finish("no action " .. title, buf)
    end
    vim.lsp.util.apply_workspace_edit(chosen.edit, "utf-16")
    local gone = vim.wait(30000, function() return lsp_diagnostic(buf, code) == nil end, 50)
    if not gone then
      return finish(code .. " still reported", buf)
    end
  end
  finish("ok", buf)
end

local ok, err = pcall(run)
if not ok then
  finish("error: " .. tostring(err))
end
