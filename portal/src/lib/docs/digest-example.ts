/**
 * The complete worked example of docs/DIGEST.md and /docs/digest: a made-up month's v3 canonical text, line by line.
 * tests/verify/digest-example.test.ts holds it to db/src/ledger/digest.ts and to DIGEST.md; the page hashes it itself.
 */
export const DIGEST_EXAMPLE_V3: readonly string[] = [
  '["mingbai-period-v3","120111102201",2025,8,1,"2023","3b5d0c4e9a8f7e6d5c4b3a29180706f5e4d3c2b1a09f8e7d6c5b4a3928170605",null]',
  '[1,"2025-08-05","支付8月保洁费",1,"刘*计","赵*任","王*国",[[1,"51301","debit","120000",null,"张*静","bank"],[2,"102","credit","120000",null,null,"bank"]]]',
  '["review","李*华","2025-09-03T02:15:30.120Z","已核对银行回单","builtin-1",[["CASH_OVER_LIMIT:1","CASH_OVER_LIMIT",1,"120000","现金支付1200.00元，超过1000元",null,["已改为转账，附回单","刘*计","2025-09-02T08:00:00.000Z"]]]]',
  `["attachments",[[null,"minutes","${'c'.repeat(64)}","${'d'.repeat(64)}",["${'e'.repeat(64)}"]],[1,"receipt","${'a'.repeat(64)}","${'b'.repeat(64)}",[]]]]`,
];
