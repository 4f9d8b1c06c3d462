-- vblint for Neovim 0.11 or newer.
-- Copy this file to ~/.config/nvim/plugin/vblint.lua (Windows: %LOCALAPPDATA%\nvim\plugin\vblint.lua).
-- For Neovim 0.8 to 0.10 use vblint-0.8.lua instead; for 0.7 (Debian 12) use vblint-0.7.lua.

-- Which files vblint checks: Neovim file types (see :help filetype), plus lexicon .toml files.
local filetypes = { 'text', 'markdown', 'rst', 'csv', 'tsv', 'log', 'toml' }

-- The settings vblint understands. Change them here.
local settings = {
  quotes = 'info', -- words inside quotation marks: 'info' (shown, never a warning), 'skip' or 'flag'
  lexicon = {}, -- extra lexicon folders, e.g. { '/home/me/force-lexicon' }
  disable = {}, -- rule ids to switch off, e.g. { 'absconded' }
}

vim.lsp.config('vblint', {
  cmd = { 'vblint', 'lsp' }, -- or the full path: { '/usr/local/bin/vblint', 'lsp' }
  filetypes = filetypes,
  root_dir = function(bufnr, on_dir)
    local name = vim.api.nvim_buf_get_name(bufnr)
    -- TOML files are checked only inside a folder called "lexicon".
    if vim.bo[bufnr].filetype == 'toml' and not name:find('[/\\]lexicon[/\\]') then
      return
    end
    on_dir(vim.fs.root(bufnr, { 'vblint.toml', '.vblint.toml', '.git' }) or vim.fs.dirname(name))
  end,
  init_options = settings,
  settings = { vblint = settings },
})
vim.lsp.enable('vblint')
