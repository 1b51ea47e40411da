import type { InventoryVm, VmDetails } from '../../../shared/contract';
import { checkpointAge, checkpointRows } from './checkpoint-tree';
import { OperationButtons, RowOperationButton } from './OperationButtons';

/**
 * The VM's checkpoints as a tree, oldest first per level, with "Now" under the checkpoint the VM
 * runs from; each row's creation time, age and type, and its operations (apply, rename, delete one
 * or with its subtree), enabled from the one table.
 */
export function CheckpointsTab({ vm, details }: { vm: InventoryVm; details: VmDetails }) {
  const rows = checkpointRows(details.checkpoints, details.currentCheckpointId);
  return (
    <>
      <OperationButtons vm={vm} groups={['checkpoint']} only={['checkpoint.create']} />
      {details.checkpoints.length === 0 ? (
        <p className="muted">No checkpoints.</p>
      ) : (
        <ul
          className="checkpoint-tree"
          role="tree"
          aria-label={`Checkpoints of ${vm.name}`}
          data-testid="checkpoint-tree"
        >
          {rows.map((r) =>
            r.kind === 'now' ? (
              <li
                key="now"
                role="treeitem"
                aria-level={r.depth + 1}
                style={{ paddingLeft: r.depth * 18 }}
                data-testid="checkpoint-now"
              >
                <span className="cp-now">▸ Now</span>
                <span className="muted">the VM's current state</span>
              </li>
            ) : (
              <li
                key={r.checkpoint.id}
                role="treeitem"
                aria-level={r.depth + 1}
                style={{ paddingLeft: r.depth * 18 }}
                data-testid="checkpoint-row"
                data-id={r.checkpoint.id}
              >
                <span className="cp-name">{r.checkpoint.name}</span>
                <span className="muted" title={r.checkpoint.createdAt}>
                  {new Date(r.checkpoint.createdAt).toLocaleString()} ({checkpointAge(r.checkpoint.createdAt)}
                  )
                </span>
                <span className="muted">{r.checkpoint.type}</span>
                {r.current && <span className="cp-current">current</span>}
                <span className="op-cell-actions">
                  <RowOperationButton
                    vm={vm}
                    operation="checkpoint.apply"
                    targetId={r.checkpoint.id}
                    what={`checkpoint "${r.checkpoint.name}"`}
                    label="Apply…"
                  />
                  <RowOperationButton
                    vm={vm}
                    operation="checkpoint.rename"
                    targetId={r.checkpoint.id}
                    what={`checkpoint "${r.checkpoint.name}"`}
                    label="Rename…"
                  />
                  <RowOperationButton
                    vm={vm}
                    operation="checkpoint.delete"
                    targetId={r.checkpoint.id}
                    what={`checkpoint "${r.checkpoint.name}"`}
                    label={r.descendants ? `Delete… (${r.descendants} below)` : 'Delete…'}
                  />
                </span>
              </li>
            ),
          )}
        </ul>
      )}
    </>
  );
}
