/**
 * The committee workbench's documents (`/committee`, `/committee/{slug}`): what waits for the signed-in person in each
 * village, and an upload with its preview. Typed by `pnpm --filter @mingbai/portal codegen`.
 */
import type * as G from './generated/graphql';
import type { TypedQuery } from './api';

const q = <R, V>(text: string) => text as TypedQuery<R, V>;

export const WorkbenchPage = q<G.WorkbenchPageQuery, G.WorkbenchPageQueryVariables>(/* GraphQL */ `
  query WorkbenchPage {
    workbench {
      slug
      name
      roleNames
      openMonth {
        year
        month
      }
      months {
        year
        month
        revision
        status
        state
        stateLabel
        vouchers
        redFlags
        unanswered
        actions
        waitingFor
      }
    }
  }
`);

export const UploadLedger = q<G.UploadLedgerMutation, G.UploadLedgerMutationVariables>(/* GraphQL */ `
  mutation UploadLedger(
    $v: String!
    $y: Int!
    $m: Int!
    $f: String!
    $c: String!
    $dry: Boolean!
    $repeated: Boolean!
    $mode: ImportMode!
  ) {
    importLedger(
      villageSlug: $v
      year: $y
      month: $m
      filename: $f
      contentBase64: $c
      dryRun: $dry
      confirmRepeatedLines: $repeated
      mode: $mode
    ) {
      status
      filename
      format
      encoding
      rows
      problems {
        row
        column
        code
        message
      }
      warnings {
        row
        column
        code
        message
      }
      redFlags {
        key
        title
      }
      preview {
        vouchers
        lines
        existingVouchers
        mode
        income {
          yuan
        }
        spending {
          yuan
        }
        openingBalance {
          yuan
        }
        closingBalance {
          yuan
        }
        openingBasis {
          kind
          description
        }
        byCategory {
          name
          kind
          amount {
            yuan
          }
        }
      }
    }
  }
`);
