import { useMemo, useState } from "react";

import { formatTaggedText } from "../lib/tagged";

/** A tagged-JSON value shown as Python would print it, with a toggle to the raw JSON. */
export function TaggedValue({ value, label }: { value: string | null | undefined; label: string }) {
  const [raw, setRaw] = useState(false);
  const pretty = useMemo(() => (value == null ? "" : formatTaggedText(value)), [value]);
  if (value == null) return <span className="muted">none</span>;
  return (
    <figure className="value">
      <pre aria-label={label} className="value-text">
        {raw ? value : pretty}
      </pre>
      <button type="button" className="link-button" aria-pressed={raw} onClick={() => setRaw(!raw)}>
        {raw ? "as Python" : "raw JSON"}
      </button>
    </figure>
  );
}
