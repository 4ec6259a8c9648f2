import { type ReactNode, useEffect, useRef } from "react";

/** An inline confirmation step (role alertdialog): nothing is sent until the person confirms. */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  cancelLabel = "Back",
  onConfirm,
  onCancel,
  pending = false,
}: {
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  cancelLabel?: string;
  onConfirm: () => void;
  onCancel: () => void;
  pending?: boolean;
}) {
  const confirmButton = useRef<HTMLButtonElement>(null);
  useEffect(() => confirmButton.current?.focus(), []);
  return (
    <div className="confirm" role="alertdialog" aria-modal="false" aria-labelledby="confirm-title">
      <p id="confirm-title" className="confirm-title">
        {title}
      </p>
      {children}
      <div className="buttons">
        <button ref={confirmButton} type="button" className="danger" onClick={onConfirm} disabled={pending}>
          {pending ? "Sending…" : confirmLabel}
        </button>
        <button type="button" onClick={onCancel} disabled={pending}>
          {cancelLabel}
        </button>
      </div>
    </div>
  );
}
