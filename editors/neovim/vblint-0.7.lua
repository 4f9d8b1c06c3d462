-- vblint for Neovim 0.7 (the version in Debian 12 "bookworm"; also works on newer versions).
-- Copy this file to ~/.config/nvim/plugin/vblint.lua.

-- Which files vblint checks: Neovim file types (see :help filetype), plus lexicon .toml files.
local filetypes = { 'text', 'markdown', 'rst', 'csv', 'tsv', 'log', 'toml' }

-- The settings vblint understands. Change them here.
local settings = {
  quotes = 'info', -- words inside quotation marks: 'info' (shown, never a warning), 'skip' or 'flag'
  lexicon = {}, -- extra lexicon folders, e.g. { '/home/me/force-lexicon' }
  disable = {}, -- rule ids to switch off, e.g. { 'absconded' }
}

local client_id = nil -- one vblint process serves every file

vim.api.nvim_create_autocmd('FileType', {
  group = vim.api.nvim_create_augroup('vblint', { clear = true }),
  pattern = filetypes,
  callback = function(args)
    local name = vim.api.nvim_buf_get_name(args.buf)
    -- TOML files are checked only inside a folder called "lexicon".
    if vim.bo[args.buf].filetype == 'toml' and not name:find('[/\\]lexicon[/\\]') then
      return
    end
    if not client_id or not vim.lsp.get_client_by_id(client_id) then
      client_id = vim.lsp.start_client({
        name = 'vblint',
        cmd = { 'vblint', 'lsp' }, -- or the full path: { '/usr/local/bin/vblint', 'lsp' }
        root_dir = vim.fn.getcwd(),
        init_options = settings,
        settings = { vblint = settings },
      })
    end
    if client_id then
      vim.lsp.buf_attach_client(args.buf, client_id)
    end
  end,
})
