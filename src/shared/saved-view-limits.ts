/** views: how many saved views the settings keep (schema-free, so the renderer can import it without the contract's schemas). */
export const MAX_SAVED_VIEWS = 200;
