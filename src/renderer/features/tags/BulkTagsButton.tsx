import { useState } from 'react';
import type { InventoryVm } from '../../../shared/contract';
import { useApp } from '../../stores/app-store';
import { counted } from '../../../shared/counted';
import { parseTagInput, updateTags } from './tag-edit';
import './tags.css';

/** "Tags…" on the bulk action bar: add or remove tags on every selected VM at once. */
export function BulkTagsButton({ vms }: { vms: readonly InventoryVm[] }) {
  const backend = useApp((s) => s.backend);
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [message, setMessage] = useState<{ error: boolean; text: string } | undefined>();
  const [busy, setBusy] = useState(false);
  const taggable = vms.filter((v) => !v.placeholder);

  const run = async (mode: 'add' | 'remove') => {
    const parsed = parseTagInput(text);
    if (!parsed.ok) return setMessage({ error: true, text: parsed.message });
    setBusy(true);
    const problem = await updateTags(backend, taggable, mode === 'add' ? parsed.tags : [], mode === 'remove' ? parsed.tags : []);
    setBusy(false);
    if (problem) return setMessage({ error: true, text: problem });
    setMessage({ error: false, text: `${mode === 'add' ? 'Added to' : 'Removed from'} ${counted(taggable.length, 'VM')}.` });
    setText('');
  };

  return (
    <>
      <button onClick={() => setOpen(!open)} disabled={!taggable.length} aria-expanded={open} data-testid="bulk-tags">
        Tags…
      </button>
      {open && (
        <div className="bulk-tags" role="group" aria-label={`Tags of ${counted(taggable.length, 'selected VM')}`}>
          <input aria-label="Tags to add or remove" placeholder="prod team:web" value={text} onChange={(e) => setText(e.target.value)} disabled={busy} />
          <button onClick={() => void run('add')} disabled={busy || !text.trim()}>
            Add to {counted(taggable.length, 'VM')}
          </button>
          <button onClick={() => void run('remove')} disabled={busy || !text.trim()}>
            Remove from {counted(taggable.length, 'VM')}
          </button>
          {message && (
            <span className={message.error ? 'error' : 'muted'} role={message.error ? 'alert' : 'status'}>
              {message.text}
            </span>
          )}
        </div>
      )}
    </>
  );
}
