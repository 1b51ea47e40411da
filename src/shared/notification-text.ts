/**
 * A notification's message as shown beside its title: in the bell, in recent activity and as a
 * native notification's body. Some messages name their subject first because they are also shown
 * alone (the deployment progress line in Settings): "Agent deployment: 4/4 hosts ready" under the
 * title "Agent deployment" shows the rest only.
 */
export function messageBesideTitle(n: { title: string; message: string }): string {
  const prefix = `${n.title}: `;
  return n.message.startsWith(prefix) ? n.message.slice(prefix.length) : n.message;
}
