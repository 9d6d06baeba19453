/**
 * The demo chat page's stand-in for an LLM: finds the details a visitor types (emails, phone
 * numbers, names) with plain rules, so capture can be tried end to end without a model.
 */

export interface Captured {
  name?: string;
  email?: string;
  phone?: string;
}

const emailPattern = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
// A run of digits with the usual separators, optionally led by +; 7 to 15 digits (E.164).
const phonePattern = /(?<![\w@.])\+?\(?\d[\d\s().-]{5,}\d(?![\w@])/g;
// How people introduce themselves; the name is what follows, up to four words.
const introPattern =
  /(?:\bmy name is|\bmy name's|\bname:|\bi am|\bi'm|\bi’m|\bim|\bthis is|\bcall me|\bit's|\bit is)\s+([^\s,.;!?]+(?:\s+[^\s,.;!?]+){0,3})/giu;
const nameWord = /^\p{Lu}[\p{L}'’-]*$/u;
// Capitalized words that follow "I'm" without being a name.
const notNames = new Set([
  'A', 'An', 'The', 'Not', 'Just', 'So', 'Very', 'Really', 'Here', 'Fine', 'Good', 'Great', 'Ok', 'Okay', 'Sure', 'Sorry',
  'Interested', 'Looking', 'Calling', 'Writing', 'From', 'In', 'At', 'On', 'With', 'Available', 'Happy', 'Glad', 'New',
  'Hi', 'Hello', 'Thanks', 'Thank', 'Yes', 'No', 'I',
]);

/** The first email in text, lower-cased. */
export function findEmail(text: string): string | undefined {
  return text.match(emailPattern)?.[0]?.toLowerCase();
}

/** The first phone number in text (as typed, trimmed), when it has 7 to 15 digits. */
export function findPhone(text: string): string | undefined {
  const withoutEmails = text.replace(emailPattern, ' ');
  for (const m of withoutEmails.matchAll(phonePattern)) {
    const digits = m[0].replace(/\D/g, '');
    if (digits.length >= 7 && digits.length <= 15) return m[0].trim();
  }
  return undefined;
}

/** The name a visitor gives for themselves ("I'm Ada Lovelace", "my name is Ada"). */
export function findName(text: string): string | undefined {
  for (const m of text.matchAll(introPattern)) {
    const words = m[1]!.split(/\s+/);
    // A name is capitalized words; stop at the first other one ("I'm Ada from Paris" keeps "Ada").
    const name: string[] = [];
    for (const w of words) {
      if (!nameWord.test(w) || notNames.has(w.replace(/[’']s$/, ''))) break;
      name.push(w);
    }
    if (name.length > 0) return name.join(' ');
  }
  return undefined;
}

/** Everything text gives away. */
export function extract(text: string): Captured {
  const out: Captured = {};
  const email = findEmail(text);
  const phone = findPhone(text);
  const name = findName(text);
  if (name) out.name = name;
  if (email) out.email = email;
  if (phone) out.phone = phone;
  return out;
}

/** Whether anything was found. */
export function isEmpty(c: Captured): boolean {
  return !c.name && !c.email && !c.phone;
}

/**
 * The demo agent's answer, given what it knows of the visitor so far and what the last message
 * gave: it asks for the name first, then a way to reach them (a name alone is not saved: a
 * contact needs an email or a phone), then thanks them. `returning` greets a visitor whose
 * details matched a contact already there (the lookup tool found them).
 */
export function nextReply(known: Captured, fresh: Captured, problem?: string, returning = false): string {
  if (problem) return `Hmm, ${problem}. Could you check it and type it again?`;
  const name = known.name ? ` ${known.name.split(' ')[0]}` : '';
  if (returning) return `Welcome back${name}! Good to hear from you again; I have added this conversation to your details. How can I help?`;
  if (!known.name) {
    return isEmpty(fresh) ? 'Happy to help! May I have your name?' : 'Thanks! And may I have your name?';
  }
  if (!known.email && !known.phone) return `Nice to meet you${name}! What is the best email or phone number to reach you?`;
  if (!isEmpty(fresh)) return `Thank you${name}, I have noted your details. Someone from the team will get back to you. Anything else?`;
  return `Got it${name}. Anything else I can help you with?`;
}
