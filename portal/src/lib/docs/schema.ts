// The committed SDL, inlined at build time: the portal serves exactly the contract the API was built from.
import sdl from '../../../../api/schema.graphql?raw';

export const SCHEMA_SDL: string = sdl;

export interface SchemaBlock {
  /** Type name, also the block's anchor: #schema-{name}. */
  name: string;
  kind: string;
  sdl: string;
}

/** The SDL cut into one block per definition (its description included), in the file's order. */
export function schemaBlocks(text: string = SCHEMA_SDL): SchemaBlock[] {
  const blocks: SchemaBlock[] = [];
  for (const chunk of text.split(/\n(?=(?:"""[\s\S]*?"""\n|"[^\n]*"\n)?(?:type|enum|input|interface|scalar|union) )/)) {
    const match = /^(type|enum|input|interface|scalar|union) (\w+)/m.exec(chunk);
    if (!match) continue;
    blocks.push({ kind: match[1]!, name: match[2]!, sdl: chunk.trim() });
  }
  return blocks;
}
