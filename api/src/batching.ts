/**
 * DataLoader's default dispatches a batch as soon as the current promise jobs settle, so a resolver that first hits
 * a cached key reaches its next `load` one tick late and starts a second batch. Waiting for the event loop's next
 * turn collects every load of a GraphQL execution level into one query, whatever mix of cache hits came before.
 */
export const BATCH_PER_TICK = { batchScheduleFn: (dispatch: () => void) => void setImmediate(dispatch) };
