import { useState } from 'react';
import type { InventoryVm } from '../../../shared/contract';
import { useApp } from '../../stores/app-store';
import { parseTagInput, updateTags } from './tag-edit';
import './tags.css';

/** The VM page's tags: one chip each with a remove button, and a field to add more. */
export function VmTagChips({ vm }: { vm: InventoryVm }) {
  const backend = useApp((s) => s.backend);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  if (vm.placeholder) return null;

  const send = async (add: string[], remove: string[]) => {
    setBusy(true);
    const problem = await updateTags(backend, [vm], add, remove);
    setBusy(false);
    setError(problem);
    return problem === undefined;
  };
  const add = async () => {
    const parsed = parseTagInput(text);
    if (!parsed.ok) return setError(parsed.message);
    if (await send(parsed.tags, [])) setText('');
  };

  return (
    <div className="vm-tags" data-testid="vm-tags">
      <span className="vm-tags-label">Tags</span>
      {vm.tags.map((tag) => (
        <span key={tag} className="tag-chip" data-testid="tag-chip">
          {tag}
          <button className="tag-remove" aria-label={`Remove tag ${tag}`} title={`Remove tag ${tag}`} disabled={busy} onClick={() => void send([], [tag])}>
            ×
          </button>
        </span>
      ))}
      <form
        className="tag-add"
        onSubmit={(e) => {
          e.preventDefault();
          void add();
        }}
      >
        <input aria-label="Add tags" placeholder={vm.tags.length ? 'add a tag' : 'add tags, e.g. prod team:web'} value={text} onChange={(e) => setText(e.target.value)} disabled={busy} />
        <button type="submit" disabled={busy || !text.trim()}>
          Add
        </button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
