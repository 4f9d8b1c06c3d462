;;; vblint.el --- check case notes with vblint through Eglot  -*- lexical-binding: t -*-

;; Copy this into your Emacs init file (~/.emacs.d/init.el or ~/.emacs), or save this file as
;; ~/.emacs.d/vblint.el and add the line  (load "~/.emacs.d/vblint.el")  to your init file.
;; Needs Eglot: built into Emacs 29 and newer; on Emacs 28 install it first
;; (Debian/Ubuntu: apt install elpa-eglot; elsewhere: M-x package-install RET eglot RET).

;; The vblint program and its arguments. Use the full path if vblint is not on your PATH,
;; for example '("/usr/local/bin/vblint" "lsp") or '("C:/Program Files/vblint/vblint.exe" "lsp").
(defvar vblint-command '("vblint" "lsp"))

;; The settings vblint understands.
;;   :quotes   words inside quotation marks: "info" (shown, never a warning), "skip" or "flag"
;;   :lexicon  extra lexicon folders, e.g. ["/home/me/force-lexicon"]   (note the square brackets)
;;   :disable  rule ids to switch off, e.g. ["absconded"]
(defvar vblint-settings '(:quotes "info" :lexicon [] :disable []))

;; The kinds of file vblint checks. TOML files are checked only inside a folder called "lexicon".
(defvar vblint-modes '(text-mode markdown-mode gfm-mode rst-mode conf-toml-mode toml-ts-mode))

(require 'eglot)

(add-to-list 'eglot-server-programs
             `(((text-mode :language-id "plaintext")
                (markdown-mode :language-id "markdown")
                (gfm-mode :language-id "markdown")
                (rst-mode :language-id "restructuredtext")
                (conf-toml-mode :language-id "toml")
                (toml-ts-mode :language-id "toml"))
               . (,@vblint-command :initializationOptions ,vblint-settings)))

;; Also sent to vblint as workspace/didChangeConfiguration, as {"vblint": {...}}.
(setq-default eglot-workspace-configuration
              (plist-put (copy-sequence (default-value 'eglot-workspace-configuration))
                         :vblint vblint-settings))

(defun vblint-maybe-start ()
  "Start vblint in this buffer if it is a case note, report or lexicon file."
  (when (and buffer-file-name
             (memq major-mode vblint-modes)
             (or (not (memq major-mode '(conf-toml-mode toml-ts-mode)))
                 (string-match-p "/lexicon/" buffer-file-name)))
    (eglot-ensure)))

(add-hook 'after-change-major-mode-hook #'vblint-maybe-start)

;;; vblint.el ends here
