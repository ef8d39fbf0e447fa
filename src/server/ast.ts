import { BREAK, visit, type ASTNode } from 'graphql';

/** Whether a variable appears anywhere in `node` (arguments, directives, nested selections). */
export function containsVariable(node: ASTNode): boolean {
  let found = false;
  visit(node, {
    Variable: () => {
      found = true;
      return BREAK;
    },
  });
  return found;
}
