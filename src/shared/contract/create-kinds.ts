// Schema-free values of the create-VM kinds, so the renderer can import them without bundling the
// schema library (test/foundation/renderer-bundle.test.ts keeps TypeBox out of the page).

/** The field whose value is the VM's provisioning kind: fields with `kinds` apply only to those. */
export const KIND_FIELD = 'provisioning';
