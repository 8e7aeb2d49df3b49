/**
 * The docs' worked examples: complete operations with their variables, as data, so the docs page prints them, the
 * explorer prefills them and tests/portal/docs.test.ts runs each against the real API.
 */
export interface DocsExample {
  /** URL-safe id: /docs/explorer?example={id} and #example-{id}. */
  id: string;
  title: { zh: string; en: string };
  query: string;
  variables: Record<string, unknown>;
  /** A real response from the demo data, lists cut to two items (pnpm start serves the same villages). */
  sample: string;
}

export const EXAMPLES: DocsExample[] = [
  {
    id: 'village-month',
    title: { zh: '一个村的一个月', en: 'A village’s month' },
    query: `query VillageMonth($slug: String!, $year: Int!, $month: Int!) {
  village(slug: $slug) {
    name
    statement(year: $year, month: $month) {
      revision
      income { yuan }
      spending { yuan }
      reconciliation { ok }
      lines(first: 50) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes {
          date
          summary
          amount { yuan }
          kind
          account { code name }
        }
      }
    }
  }
}`,
    variables: { slug: 'fucun', year: 2025, month: 6 },
    sample: `{
  "data": {
    "village": {
      "name": "付村",
      "statement": {
        "revision": 1,
        "income": {
          "yuan": "135833.33"
        },
        "spending": {
          "yuan": "69271.40"
        },
        "reconciliation": {
          "ok": true
        },
        "lines": {
          "totalCount": 50,
          "pageInfo": {
            "hasNextPage": false,
            "endCursor": "YzE6NDk"
          },
          "nodes": [
            {
              "date": "2025-06-02",
              "summary": "收取6月份村委会临街门面房租金",
              "amount": {
                "yuan": "1100.00"
              },
              "kind": "INCOME",
              "account": {
                "code": "50102",
                "name": "房屋租赁收入"
              }
            },
            {
              "date": "2025-06-02",
              "summary": "收取6月份集体仓库租金",
              "amount": {
                "yuan": "1700.00"
              },
              "kind": "INCOME",
              "account": {
                "code": "50102",
                "name": "房屋租赁收入"
              }
            }
          ]
        }
      }
    }
  },
  "extensions": {
    "cost": {
      "requested": 207,
      "limit": 20000
    }
  }
}`,
  },
  {
    id: 'district-welfare',
    title: { zh: '一个区一年的全部公益支出', en: 'All 公益支出 (public welfare spending) of a district in a year' },
    query: `query DistrictWelfare($region: String!, $year: Int!, $after: String) {
  region(slug: $region) {
    name
    lines(year: $year, category: "514", kind: SPENDING, first: 100, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        date
        summary
        amount { yuan }
        account { code name }
        voucher { village { slug name } number }
      }
    }
  }
}`,
    variables: { region: 'xiqing', year: 2025, after: null },
    sample: `{
  "data": {
    "region": {
      "name": "西青区",
      "lines": {
        "totalCount": 939,
        "pageInfo": {
          "hasNextPage": true,
          "endCursor": "YzE6OTk"
        },
        "nodes": [
          {
            "date": "2025-01-03",
            "summary": "购买路灯维修小配件",
            "amount": {
              "yuan": "305.20"
            },
            "account": {
              "code": "51402",
              "name": "路灯照明"
            },
            "voucher": {
              "village": {
                "slug": "baitansi",
                "name": "白滩寺村"
              },
              "number": 4
            }
          },
          {
            "date": "2025-01-06",
            "summary": "春节走访慰问困难群众",
            "amount": {
              "yuan": "600.00"
            },
            "account": {
              "code": "51406",
              "name": "困难群众慰问"
            },
            "voucher": {
              "village": {
                "slug": "fucun",
                "name": "付村"
              },
              "number": 14
            }
          }
        ]
      }
    }
  },
  "extensions": {
    "cost": {
      "requested": 603,
      "limit": 20000
    }
  }
}`,
  },
  {
    id: 'village-search',
    title: { zh: '一个村所有月份里查找一个收款人', en: 'One payee across all of a village’s months' },
    query: `query VillageSearch($slug: String!, $search: String!, $year: Int) {
  village(slug: $slug) {
    name
    lines(search: $search, year: $year, minYuan: "100", orderBy: DATE_DESC, first: 20) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        date
        summary
        amount { yuan }
        counterparty { name }
        voucher { year month number }
      }
    }
  }
}`,
    variables: { slug: 'fucun', search: '五金', year: 2025 },
    sample: `{
  "data": {
    "village": {
      "name": "付村",
      "lines": {
        "totalCount": 52,
        "pageInfo": {
          "hasNextPage": true,
          "endCursor": "YzE6MTk"
        },
        "nodes": [
          {
            "date": "2025-12-25",
            "summary": "购买路灯维修小配件",
            "amount": {
              "yuan": "209.60"
            },
            "counterparty": {
              "name": "天津市西青区精武镇顺利五金建材商店"
            },
            "voucher": {
              "year": 2025,
              "month": 12,
              "number": 38
            }
          },
          {
            "date": "2025-12-25",
            "summary": "卫生间维修材料费",
            "amount": {
              "yuan": "312.40"
            },
            "counterparty": {
              "name": "天津市西青区精武镇顺利五金建材商店"
            },
            "voucher": {
              "year": 2025,
              "month": 12,
              "number": 37
            }
          }
        ]
      }
    }
  },
  "extensions": {
    "cost": {
      "requested": 123,
      "limit": 20000
    }
  }
}`,
  },
  {
    id: 'mirror-sync',
    title: { zh: '同步镜像：取上次以来的新公开', en: 'Syncing a mirror: what was published since last time' },
    query: `query MirrorSync($since: DateTime, $cursor: String) {
  statements(publishedSince: $since, first: 100, after: $cursor) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id
      village { slug }
      year
      month
      revision
      isCurrent
      publishedAt
      digest
      previousDigest
    }
  }
}`,
    variables: { since: '2025-01-01T00:00:00Z', cursor: null },
    sample: `{
  "data": {
    "statements": {
      "pageInfo": {
        "hasNextPage": true,
        "endCursor": "cDE6MjAyNi0xMS0yN1QwODoyOTo0My41NjYwMDBafDN8MjAyNXw4fDE"
      },
      "nodes": [
        {
          "id": "TW9udGhseVN0YXRlbWVudDoyOjIwMjM6MTE6MQ",
          "village": {
            "slug": "xiaonanhe"
          },
          "year": 2023,
          "month": 11,
          "revision": 1,
          "isCurrent": true,
          "publishedAt": "2026-11-27T08:29:41.588Z",
          "digest": "5566516e0a5605db197147281b0d04cff945c804754c22b99e4a90a2e7003099",
          "previousDigest": null
        },
        {
          "id": "TW9udGhseVN0YXRlbWVudDo0OjIwMjM6MTE6MQ",
          "village": {
            "slug": "baitansi"
          },
          "year": 2023,
          "month": 11,
          "revision": 1,
          "isCurrent": true,
          "publishedAt": "2026-11-27T08:29:41.601Z",
          "digest": "3f88f22db0c098172166a57b8250181c81a24282ea851b7684e02709bb39cda1",
          "previousDigest": null
        }
      ]
    }
  },
  "extensions": {
    "cost": {
      "requested": 302,
      "limit": 20000
    }
  }
}`,
  },
  {
    id: 'villages',
    title: { zh: '一个区的村，按页取', en: 'The villages of a district, page by page' },
    query: `query Villages($region: String!, $after: String) {
  villages(regionSlug: $region, first: 20, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id slug name code kind town { slug name } }
  }
}`,
    variables: { region: 'xiqing', after: null },
    sample: `{
  "data": {
    "villages": {
      "totalCount": 5,
      "pageInfo": {
        "hasNextPage": false,
        "endCursor": "YzE6NA"
      },
      "nodes": [
        {
          "id": "VmlsbGFnZTo0",
          "slug": "baitansi",
          "name": "白滩寺村",
          "code": "120111101204",
          "kind": "VILLAGE",
          "town": {
            "slug": "yangliuqing",
            "name": "杨柳青镇"
          }
        },
        {
          "id": "VmlsbGFnZTox",
          "slug": "fucun",
          "name": "付村",
          "code": "120111102201",
          "kind": "VILLAGE",
          "town": {
            "slug": "jingwu",
            "name": "精武镇"
          }
        }
      ]
    }
  },
  "extensions": {
    "cost": {
      "requested": 62,
      "limit": 20000
    }
  }
}`,
  },
  {
    id: 'corrections',
    title: { zh: '一个月的所有版本和更正原因', en: 'Every revision of a month, and why it was corrected' },
    query: `query Revisions($slug: String!, $year: Int!, $month: Int!) {
  village(slug: $slug) {
    statement(year: $year, month: $month) {
      id
      revision
      digest
      revisions { revision isCurrent publishedAt reason digest }
      changes { kind voucherNumber summaryBefore summaryAfter amountBefore { yuan } amountAfter { yuan } }
    }
  }
}`,
    variables: { slug: 'fucun', year: 2025, month: 8 },
    sample: `{
  "data": {
    "village": {
      "statement": {
        "id": "TW9udGhseVN0YXRlbWVudDoxOjIwMjU6ODoy",
        "revision": 2,
        "digest": "6d439dc6daf56ab4def2fb7da6254bba9c6e64162784362ba164ed41d967f045",
        "revisions": [
          {
            "revision": 2,
            "isCurrent": true,
            "publishedAt": "2026-11-27T08:29:53.564Z",
            "reason": "第12号凭证金额录入错误：应为1,580.00元，误录为1,850.00元",
            "digest": "6d439dc6daf56ab4def2fb7da6254bba9c6e64162784362ba164ed41d967f045"
          },
          {
            "revision": 1,
            "isCurrent": false,
            "publishedAt": "2026-11-27T08:29:43.567Z",
            "reason": null,
            "digest": "33a64e595413e4a1bcd9a0a3c8156ecfb9c488bd644c3343291672674f25b28e"
          }
        ],
        "changes": [
          {
            "kind": "CHANGED",
            "voucherNumber": 12,
            "summaryBefore": "购买路灯维修配件",
            "summaryAfter": "购买路灯维修配件",
            "amountBefore": {
              "yuan": "1850.00"
            },
            "amountAfter": {
              "yuan": "1580.00"
            }
          }
        ]
      }
    }
  },
  "extensions": {
    "cost": {
      "requested": 42,
      "limit": 20000
    }
  }
}`,
  },
  {
    id: 'rate-limit',
    title: { zh: '查看自己的限额余量', en: 'Your rate limit budget' },
    query: `query Budget {
  rateLimit { limit remaining used resetAt cost }
}`,
    variables: {},
    sample: `{
  "data": {
    "rateLimit": {
      "limit": 200000,
      "remaining": 198783,
      "used": 1217,
      "resetAt": "2026-11-27T09:35:50.000Z",
      "cost": 1
    }
  },
  "extensions": {
    "cost": {
      "requested": 1,
      "limit": 20000
    }
  }
}`,
  },
];

export function exampleById(id: string | null | undefined): DocsExample | undefined {
  return EXAMPLES.find((e) => e.id === id);
}
