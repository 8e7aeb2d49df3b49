import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({
  simpleResolvers: true,
  description:
    '签名检查点：所有村链头的默克尔树根，由本站私钥签名（见 /docs/digest）/ A signed checkpoint over every village’s ' +
    'chain head (see /docs/digest).',
})
export class SignedCheckpoint {
  @Field(() => Int, { description: '编号 N：/data/checkpoints/{N}.json / Its number.' })
  number!: number;

  @Field(() => String, { description: '签名时刻（ISO 8601 UTC，签名内容的一部分）/ When it was signed, as signed.' })
  timestamp!: string;

  @Field(() => Int, { description: '叶子数：收进的村数 / Leaves: villages in it.' })
  treeSize!: number;

  @Field(() => String, { description: 'RFC 6962 树根，64 位十六进制 / Merkle root, 64 hex.' })
  root!: string;

  @Field(() => String, { description: '签名公钥编号（公钥 32 字节的 SHA-256 前 16 位）/ The signing key’s id.' })
  keyId!: string;

  @Field(() => Int, { description: '本村的链在其中的长度（公开次数）/ This village’s chain length in it.' })
  chainLength!: number;

  @Field(() => String, { description: '本村在其中的链头摘要 / This village’s head digest in it.' })
  chainHead!: string;
}
