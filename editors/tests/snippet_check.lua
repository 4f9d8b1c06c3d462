-- Loaded by check-snippets.sh after the snippet under test was installed as a plugin.
-- Waits for vblint's diagnostics in the current buffer and writes what they cover as JSON.
local out = os.getenv('SNIPPET_OUT')
local timeout = tonumber(os.getenv('SNIPPET_TIMEOUT_MS') or '20000')
local report = { harness = 'nvim-snippet', nvim_version = tostring(vim.version().major) .. '.' ..
  tostring(vim.version().minor) .. '.' .. tostring(vim.version().patch), snippet = os.getenv('SNIPPET_FILE') }
local bufnr = vim.api.nvim_get_current_buf()
report.filetype = vim.bo[bufnr].filetype
local ok = vim.wait(timeout, function() return #vim.diagnostic.get(bufnr) > 0 end, 50)
vim.wait(500, function() return false end) -- let late publishes settle
local clients = {}
for _, c in pairs(vim.lsp.buf_get_clients(bufnr)) do clients[#clients + 1] = c.name end
report.attached_clients = clients
report.diagnostics = {}
for _, d in ipairs(vim.diagnostic.get(bufnr)) do
  local text = table.concat(vim.api.nvim_buf_get_text(bufnr, d.lnum, d.col, d.end_lnum, d.end_col, {}), '\n')
  report.diagnostics[#report.diagnostics + 1] = { lnum = d.lnum, col = d.col, text = text, message = d.message,
    severity = d.severity, source = d.source }
end
report.got_diagnostics = ok
local f = assert(io.open(out, 'w'))
f:write(vim.fn.json_encode(report))
f:close()
for _, c in pairs(vim.lsp.get_active_clients()) do c.stop() end
vim.wait(2000, function() return #vim.lsp.get_active_clients() == 0 end, 50)
vim.cmd('qall!')
