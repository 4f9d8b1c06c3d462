;;; snippet_check.el --- load editors/emacs/vblint.el as a user would and record vblint's diagnostics  -*- lexical-binding: t -*-
;; Used by check-snippets.sh; parameters come from SNIPPET_* environment variables.
(require 'package)
(setq package-directory-list (list "/usr/share/emacs/site-lisp/elpa"))
(package-initialize)
(require 'json)
(require 'flymake)
;; The snippet's own defaults are replaced only for the program, so the test can run any server.
(setq vblint-command (split-string-and-unquote (getenv "SNIPPET_CMD")))
(load (getenv "SNIPPET_FILE") nil t)
(let* ((file (getenv "SNIPPET_FIXTURE"))
       (out (getenv "SNIPPET_OUT"))
       (timeout (/ (string-to-number (or (getenv "SNIPPET_TIMEOUT_MS") "20000")) 1000.0))
       (buf (find-file-noselect file))
       (report nil))
  (with-current-buffer buf
    (run-hooks 'post-command-hook) ; eglot-ensure connects after the next command
    (let ((deadline (+ (float-time) timeout)))
      ;; In a real Emacs, Flymake starts once the buffer is shown; in batch nothing is shown,
      ;; so start it by hand (every second until vblint's diagnostics arrive).
      (while (and (< (float-time) deadline)
                  (null (flymake-diagnostics)))
        (when (bound-and-true-p flymake-mode) (flymake-start nil t))
        (accept-process-output nil 1)))
    (let ((settle (+ (float-time) 0.7))) (while (< (float-time) settle) (accept-process-output nil 0.1)))
    (push (cons 'harness "emacs-snippet") report)
    (push (cons 'major_mode (symbol-name major-mode)) report)
    (push (cons 'eglot_managed (if (bound-and-true-p eglot--managed-mode) t :json-false)) report)
    (push (cons 'diagnostics
                (vconcat (mapcar (lambda (d)
                                   `((text . ,(buffer-substring-no-properties (flymake-diagnostic-beg d) (flymake-diagnostic-end d)))
                                     (message . ,(flymake-diagnostic-text d))
                                     (type . ,(format "%s" (flymake-diagnostic-type d)))))
                                 (sort (flymake-diagnostics) (lambda (a b) (< (flymake-diagnostic-beg a) (flymake-diagnostic-beg b)))))))
          report)
    (let ((server (eglot-current-server)))
      (when server
        (ignore-errors (jsonrpc-request server :shutdown nil :timeout 5))
        (ignore-errors (jsonrpc-notify server :exit nil)))))
  (with-temp-file out
    (insert (encode-coding-string (json-encode (nreverse report)) 'utf-8)))
  (kill-emacs 0))
