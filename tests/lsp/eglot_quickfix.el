;;; eglot_quickfix.el --- Emacs + eglot, in batch mode, as a user -*- lexical-binding: t -*-
;;
;; Open the file named by INPLACE_FIXER_FILE, start inplace-fixer's language server for it with
;; eglot, wait for its diagnostics, then either (INPLACE_FIXER_MODE=quickfix) pick "Rewrite out
;; of place" in the code-action menu of each diagnostic in turn, or (=fixall) run the
;; source.fixAll.inplace-fixer action once; save the file and exit 0. Exit 1 with a message on
;; failure. INPLACE_FIXER_LSP_CMD is the server command as a JSON list.
;; Emacs 28 with Debian's elpa-eglot (1.9), or Emacs 29+ with its built-in eglot.

(require 'package)
(package-initialize)
(require 'eglot)
(require 'json)
(require 'python)

(defconst inplace-fixer-timeout 30)

(defun inplace-fixer-fail (format-string &rest args)
  (princ (concat "eglot_quickfix.el: " (apply #'format format-string args) "\n") #'external-debugging-output)
  (kill-emacs 1))

(defun inplace-fixer-wait (predicate what)
  (let ((deadline (+ (float-time) inplace-fixer-timeout)))
    (while (and (not (funcall predicate)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (unless (funcall predicate)
      (inplace-fixer-fail "timed out waiting for %s" what))))

(defun inplace-fixer-diagnostics ()
  (sort (flymake-diagnostics) (lambda (a b) (< (flymake-diagnostic-beg a) (flymake-diagnostic-beg b)))))

(defvar inplace-fixer-published-version nil
  "The document version of the last publishDiagnostics the server sent.")

(cl-defmethod eglot-handle-notification :after
  (_server (_method (eql textDocument/publishDiagnostics)) &key version &allow-other-keys)
  (setq inplace-fixer-published-version version))

(defun inplace-fixer-settle ()
  "Send the buffer's changes now and wait for the diagnostics of its new version."
  (eglot--signal-textDocument/didChange)
  (inplace-fixer-wait (lambda () (equal inplace-fixer-published-version eglot--versioned-identifier))
                      (format "diagnostics for version %s" eglot--versioned-identifier)))

(defun inplace-fixer-pick (wanted)
  "Run `eglot-code-actions' at point, answering its menu with WANTED; t if it was offered."
  (let ((offered nil)
        ;; eglot pops up a mouse menu unless the last event was a key.
        (last-nonmenu-event ?a))
    (cl-letf (((symbol-function 'completing-read)
               (lambda (_prompt collection &rest _)
                 (setq offered (assoc wanted collection))
                 (if offered wanted (keyboard-quit)))))
      (condition-case nil
          (eglot-code-actions (line-beginning-position) (line-end-position) nil t)
        (quit nil)))
    (and offered t)))

(defun inplace-fixer-run ()
  (let ((command (append (json-read-from-string (getenv "INPLACE_FIXER_LSP_CMD")) nil)))
    (setq eglot-server-programs `((python-mode . ,command))))
  (find-file (getenv "INPLACE_FIXER_FILE"))
  (python-mode)
  (apply #'eglot (eglot--guess-contact))
  (inplace-fixer-wait #'eglot-current-server "the server")
  (inplace-fixer-wait #'flymake-diagnostics "the first diagnostics")
  (if (equal (getenv "INPLACE_FIXER_MODE") "fixall")
      (let ((last-nonmenu-event ?a))
        (eglot-code-actions (point-min) (point-max) "source.fixAll.inplace-fixer" t))
    (let ((applied 0) (tried nil) (target t))
      (while target
        (setq target (cl-find-if (lambda (d) (not (member (line-number-at-pos (flymake-diagnostic-beg d)) tried)))
                                 (inplace-fixer-diagnostics)))
        (when target
          (goto-char (flymake-diagnostic-beg target))
          (if (inplace-fixer-pick "Rewrite out of place")
              (progn (setq applied (1+ applied) tried nil) (inplace-fixer-settle))
            (push (line-number-at-pos) tried))))
      (when (zerop applied)
        (inplace-fixer-fail "no quick-fix was offered"))))
  (save-buffer)
  (kill-emacs 0))

(condition-case error
    (inplace-fixer-run)
  (error (inplace-fixer-fail "%s" (error-message-string error))))
