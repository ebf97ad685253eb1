-- Neovim, headless, as a user: open the file given on the command line, start inplace-fixer's
-- language server for it, wait for its diagnostics, then for each diagnostic in turn open the
-- code-action menu on its line and pick "Rewrite out of place", until no line offers one;
-- finally :write and quit. Exits 0 on success, 1 with a message on stderr otherwise.
--
-- Works with Neovim 0.7 (Debian bookworm's) and later: vim.lsp.start_client and
-- buf_attach_client exist since 0.5 (vim.lsp.start, which wraps them, needs 0.8).
-- Environment: INPLACE_FIXER_LSP_CMD, the server command as a JSON list.

local TIMEOUT_MS = 30000
local TITLE = 'Rewrite out of place'

local function fail(message)
  io.stderr:write('nvim_quickfix.lua: ' .. message .. '\n')
  vim.cmd('cquit 1')
end

local function run()
  local bufnr = vim.api.nvim_get_current_buf()
  local published_version = -1
  local default_handler = vim.lsp.handlers['textDocument/publishDiagnostics']
  vim.lsp.handlers['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
    default_handler(err, result, ctx, config)
    if result and result.version then
      published_version = result.version
    end
  end

  local client_id = vim.lsp.start_client({
    name = 'inplace-fixer',
    cmd = vim.fn.json_decode(os.getenv('INPLACE_FIXER_LSP_CMD')),
    root_dir = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ':p:h'),
  })
  if not client_id then
    return fail('the server did not start')
  end
  vim.lsp.buf_attach_client(bufnr, client_id)

  local function wait_for_current_diagnostics()
    local ok = vim.wait(TIMEOUT_MS, function()
      return published_version == vim.lsp.util.buf_versions[bufnr]
    end, 20)
    if not ok then
      fail('no diagnostics for version ' .. tostring(vim.lsp.util.buf_versions[bufnr]))
    end
    return ok
  end

  -- Pick the quick-fix in the menu the way a user would; remember whether the menu had one.
  local picked
  vim.ui.select = function(items, opts, on_choice)
    for index, item in ipairs(items) do
      if opts.format_item(item) == TITLE then
        picked = true
        return on_choice(item, index)
      end
    end
    picked = false
    on_choice(nil, nil)
  end

  if not wait_for_current_diagnostics() then
    return
  end
  if #vim.diagnostic.get(bufnr) == 0 then
    return fail('the server reported no diagnostics')
  end

  local applied = 0
  local tried_lines = {}
  while true do
    local target
    for _, diagnostic in ipairs(vim.diagnostic.get(bufnr)) do
      if not tried_lines[diagnostic.lnum] then
        target = diagnostic
        break
      end
    end
    if not target then
      break
    end
    vim.api.nvim_win_set_cursor(0, { target.lnum + 1, target.col })
    local tick = vim.api.nvim_buf_get_changedtick(bufnr)
    picked = nil
    vim.lsp.buf.code_action()
    if not vim.wait(TIMEOUT_MS, function() return picked ~= nil end, 20) then
      return fail('no code-action menu for line ' .. (target.lnum + 1))
    end
    if picked then
      if not vim.wait(TIMEOUT_MS, function() return vim.api.nvim_buf_get_changedtick(bufnr) ~= tick end, 20) then
        return fail('the quick-fix did not change the buffer')
      end
      applied = applied + 1
      tried_lines = {}
      if not wait_for_current_diagnostics() then
        return
      end
    else
      tried_lines[target.lnum] = true
    end
  end
  if applied == 0 then
    return fail('no quick-fix was offered')
  end

  vim.cmd('write')
  vim.lsp.stop_client(client_id)
  vim.cmd('qall!')
end

local ok, error = pcall(run)
if not ok then
  fail(tostring(error))
end
