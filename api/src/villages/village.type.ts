import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { toGlobalId } from '../graphql/relay/global-id.ts';
import { Node } from '../graphql/relay/node.type.ts';
import { ConnectionType } from '../graphql/relay/connection.ts';
import type { VillageRow } from './village.sql.ts';

export enum VillageKind {
  VILLAGE = 'village',
  COMMUNITY = 'community',
}
registerEnumType(VillageKind, { name: 'VillageKind', description: 'VILLAGE 村 · COMMUNITY 社区' });

@ObjectType({
  simpleResolvers: true,
  implements: Node,
  description: '村或社区：拥有一本账 / A village or community, which keeps one ledger.',
})
export class Village implements Node {
  readonly nodeType = 'Village' as const;
  constructor(readonly row: VillageRow) {}

  @Field(() => ID)
  get id(): string {
    return toGlobalId('Village', this.row.id);
  }

  @Field(() => String, { description: '12位统计用区划代码' })
  get code(): string {
    return this.row.code;
  }

  @Field(() => String, { description: '网址名：/v/{slug}' })
  get slug(): string {
    return this.row.slug;
  }

  @Field(() => String)
  get name(): string {
    return this.row.name;
  }

  @Field(() => VillageKind)
  get kind(): VillageKind {
    return this.row.kind as VillageKind;
  }
}

export const VillageConnection = ConnectionType(Village, 'Village');
