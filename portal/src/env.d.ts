declare namespace App {
  interface Locals {
    /** The request body of a POST, read by the middleware within its path's size limit (lib/request-body.ts). */
    body?: Uint8Array;
    /** The body passed its path's limit and was not kept (only the ask form renders then; other paths answer 413). */
    bodyTooLarge?: boolean;
    /** Set by a page that changed a village's public pages: the path prefix whose cached copies are dropped. */
    purgePages?: string;
  }
}
