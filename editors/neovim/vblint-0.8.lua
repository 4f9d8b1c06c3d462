-- vblint for Neovim 0.8, 0.9 and 0.10 (also works on 0.11 and newer).
-- Copy this file to ~/.config/nvim/plugin/vblint.lua (Windows: %LOCALAPPDATA%\nvim\plugin\vblint.lua).

-- Which files vblint checks: Neovim file types (see :help filetype), plus lexicon .toml files.
local filetypes = { 'text', 'markdown', 'rst', 'csv', 'tsv', 'log', 'toml' }

-- The settings vblint understands. Change them here.
local settings = {
  quotes = 'info', -- words inside quotation marks: 'info' (shown, never a warning), 'skip' or 'flag'
  lexicon = {}, -- extra lexicon folders, e.g. { '/home/me/force-lexicon' }
  disable = {}, -- rule ids to switch off, e.g. { 'absconded' }
}

vim.api.nvim_create_autocmd('FileType', {
  group = vim.api.nvim_create_augroup('vblint', { clear = true }),
  pattern = filetypes,
  callback = function(args)
    local name = vim.api.nvim_buf_get_name(args.buf)
    -- TOML files are checked only inside a folder called "lexicon".
    if vim.bo[args.buf].filetype == 'toml' and not name:find('[/\\]lexicon[/\\]') then
      return
    end
    local marker = vim.fs.find({ 'vblint.toml', '.vblint.toml', '.git' },
      { upward = true, path = vim.fs.dirname(name) })[1]
    vim.lsp.start({
      name = 'vblint',
      cmd = { 'vblint', 'lsp' }, -- or the full path: { '/usr/local/bin/vblint', 'lsp' }
      root_dir = marker and vim.fs.dirname(marker) or vim.fs.dirname(name),
      init_options = settings,
      settings = { vblint = settings },
    }, { bufnr = args.buf })
  end,
})
