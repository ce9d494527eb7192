/**
 * Text to search terms, the same way for tool definitions and for queries: split on anything that
 * is not a letter or digit and at camelCase and letter/digit boundaries (tool and parameter names
 * are identifiers: `browser_take_screenshot`, `getFileInfo`), lowercase, drop stop words, and
 * stem lightly (plurals, -ing, -ed, a final e), so that "files", "creating" and "deleted" meet
 * "file", "create" and "delete". A full stemmer (Porter) would merge more, and wrongly more often
 * on identifiers; this light one only folds the forms a query and a description disagree on most.
 */

/** Words that say nothing about what a tool does, in queries ("I want to ...") and descriptions ("Use this tool to ..."). */
const stopWords = new Set(
  (
    'a an and any are as at be been by can could do does for from has have how i if in into is it its ' +
    'let me my of on or our please should so some that the their them then there these this those to ' +
    'tool tools us use used using want was we what when where which while will with would you your'
  ).split(' '),
);

/** Splits identifiers and prose into lowercase words. */
function words(text: string): string[] {
  // An address stands for "a URL", not for its parts (looked for only where one may be: it is a slow pattern).
  const plain = text.includes('://') ? text.replace(/\b[a-z][a-z\d+.-]*:\/\/\S+/gi, ' url ') : text;
  return (
    plain
      // Identifiers are ASCII in practice, and these ASCII patterns cost a fraction of Unicode ones.
      .replace(/([a-z\d])([A-Z])/g, '$1 $2') // fooBar, foo2Bar
      .replace(/([A-Z])([A-Z][a-z])/g, '$1 $2') // HTMLPage
      .replace(/([a-zA-Z])(\d)|(\d)([a-zA-Z])/g, '$1$3 $2$4') // tab2, 2fa
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
  );
}

/** Plurals, -ing, -ed and a final e off, keeping a stem of at least four letters (three for plurals). */
export function stem(word: string): string {
  let stemmed = word;
  if (stemmed.length > 4 && stemmed.endsWith('ies')) stemmed = `${stemmed.slice(0, -3)}y`;
  else if (stemmed.length > 3 && stemmed.endsWith('s') && !/(ss|us|is)$/.test(stemmed)) stemmed = stemmed.slice(0, -1);
  const suffix = /(ing|ed)$/.exec(stemmed)?.[0];
  if (suffix && stemmed.length - suffix.length >= 4) {
    stemmed = stemmed.slice(0, -suffix.length);
    // running -> run, but not install -> instal
    if (/([^aeiouls])\1$/.test(stemmed)) stemmed = stemmed.slice(0, -1);
  }
  if (stemmed.length > 4 && stemmed.endsWith('e')) stemmed = stemmed.slice(0, -1);
  return stemmed;
}

/**
 * A word's term, or '' for a word that is not searched. Remembered: the tools of a catalogue
 * repeat a vocabulary of a few thousand words. The memory is bounded in words and in their length,
 * against catalogues (or queries) of endless or endlessly long distinct words.
 */
const known = new Map<string, string>();
const MAX_KNOWN = 50_000;
const MAX_KNOWN_LENGTH = 40;

function term(word: string): string {
  let found = known.get(word);
  if (found === undefined) {
    found = word.length > 1 && !stopWords.has(word) ? stem(word) : '';
    if (word.length <= MAX_KNOWN_LENGTH) {
      if (known.size >= MAX_KNOWN) known.clear();
      known.set(word, found);
    }
  }
  return found;
}

/** The search terms of a text, in order, repeats kept (they count in BM25). */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const word of words(text)) {
    const found = term(word);
    if (found !== '') out.push(found);
  }
  return out;
}

/**
 * Groups of words a user and a tool description use for the same thing. General vocabulary of
 * tools (files, pages, repositories, messages), not tuned to any one server: each group holds
 * words that can replace each other in "I want to <verb> the <noun>".
 */
const synonymGroups = [
  'delete remove erase',
  'create make new add',
  'find search look lookup locate query',
  'get fetch retrieve obtain',
  'list show display enumerate',
  'edit modify update change alter',
  'run execute evaluate invoke',
  'folder directory dir',
  'picture image screenshot photo',
  'website webpage site web url',
  'open navigate visit go load',
  'type fill enter input',
  'click press tap',
  'bug issue ticket',
  'message post chat',
  'send post',
  'doc docs documentation manual',
  'repo repository project',
  'user account person member people',
  'place location address',
  'nearby near around',
  'close shut quit exit',
  'direction route way',
  'database db sql postgres postgresql mysql sqlite',
  'comment reply remark',
  'read view inspect',
  'save write store',
  'rename move',
  'think reason plan',
  'size dimension resize',
  'branch fork',
  'note observation fact',
].map((group) => group.split(' ').map(stem));

/** Abbreviations to the words they stand for (one way: "pull" does not mean "pr"). */
const abbreviations: Record<string, string> = {
  pr: 'pull request',
  env: 'environment variable',
  js: 'javascript',
  http: 'network request',
};

const synonymsOf = new Map<string, string[]>();
for (const group of synonymGroups) {
  for (const word of group) synonymsOf.set(word, [...(synonymsOf.get(word) ?? []), ...group.filter((w) => w !== word)]);
}
for (const [short, long] of Object.entries(abbreviations)) synonymsOf.set(short, terms(long));

/** The synonyms of a (stemmed) term, never the term itself. */
export function synonyms(term: string): readonly string[] {
  return synonymsOf.get(term) ?? [];
}
