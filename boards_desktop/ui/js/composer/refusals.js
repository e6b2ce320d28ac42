// A refusal of the server in the artist's words: the validation library's phrases ("Input should be
// less than or equal to 50") become what to do ("Use at most 50."); the generators' own messages,
// already written for people, only start with a capital and end with a full stop.

const PHRASES = [
  [/^Input should be less than or equal to (\S+)$/i, (m) => `Use at most ${m[1]}`],
  [/^Input should be greater than or equal to (\S+)$/i, (m) => `Use at least ${m[1]}`],
  [/^Input should be less than (\S+)$/i, (m) => `Use less than ${m[1]}`],
  [/^Input should be greater than (\S+)$/i, (m) => `Use more than ${m[1]}`],
  [/^Input should be a valid integer.*$/i, () => 'Use a whole number'],
  [/^Input should be a valid number.*$/i, () => 'Use a number'],
  [/^Input should be a valid boolean.*$/i, () => 'Use yes or no'],
  [/^Input should be a valid string.*$/i, () => 'Use text'],
  [/^Input should be a valid list.*$/i, () => 'Use a list'],
  [/^Input should be (.+)$/i, (m) => `Choose ${m[1]}`],
  [/^Field required$/i, () => 'This is needed'],
  [/^String should have at most (\d+) characters?$/i, (m) => `Use at most ${m[1]} characters`],
  [/^String should have at least (\d+) characters?$/i, (m) => `Use at least ${m[1]} characters`],
  [/^String should match pattern .*$/i, () => 'This is not in the expected form'],
  [/^List should have at most (\d+) items?.*$/i, (m) => `Use at most ${m[1]}`],
  [/^List should have at least (\d+) items?.*$/i, (m) => `Use at least ${m[1]}`],
  [/^Extra inputs are not permitted$/i, () => 'This generator does not take this setting'],
];

/** One refusal (its parts, "a; b", each in turn) as a sentence. */
export function inWords(message) {
  return sentence(String(message).split(/; /).map((part) => {
    const text = part.trim();
    for (const [pattern, say] of PHRASES) {
      const match = pattern.exec(text);
      if (match) return say(match);
    }
    return text;
  }).join('; '));
}

function sentence(text) {
  const capital = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?)]$/.test(capital) ? capital : `${capital}.`;
}
