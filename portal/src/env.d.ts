declare namespace App {
  interface Locals {
    /** The request body of a POST, read by the middleware within its path's size limit (lib/request-body.ts). */
    body?: Uint8Array;
  }
}
