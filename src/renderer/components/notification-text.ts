/**
 * A notification's message as shown beside its title. Some messages name their subject first
 * because they also travel alone (the deployment progress line, a native notification body):
 * "Agent deployment: 4/4 hosts ready" under the title "Agent deployment" shows the rest only.
 */
export function messageBesideTitle(n: { title: string; message: string }): string {
  const prefix = `${n.title}: `;
  return n.message.startsWith(prefix) ? n.message.slice(prefix.length) : n.message;
}
