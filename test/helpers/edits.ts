import fc from 'fast-check';

/** The texts drawn, each with one character put in, taken out or swapped for one of `characters`. */
export const editedOnce = (text: fc.Arbitrary<string>, characters: string): fc.Arbitrary<string> =>
  fc
    .tuple(text, fc.nat(), fc.constantFrom('insert', 'delete', 'replace'), fc.constantFrom(...characters))
    .map(([source, position, edit, character]) => {
      const at = position % (source.length + 1);
      const rest = source.slice(edit === 'insert' ? at : at + 1);
      return source.slice(0, at) + (edit === 'delete' ? '' : character) + rest;
    });
