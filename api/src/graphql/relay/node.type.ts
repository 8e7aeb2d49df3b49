import { Field, ID, InterfaceType } from 'type-graphql';
import type { NodeTypeName } from './global-id.ts';

@InterfaceType({
  description: '可按全局 ID 查询的对象 / An object with an opaque global ID, fetchable with `node(id:)`.',
  resolveType: (value: { nodeType: NodeTypeName }) => value.nodeType,
})
export abstract class Node {
  @Field(() => ID, { description: '不透明的全局 ID / Opaque global ID.' })
  abstract readonly id: string;
}
