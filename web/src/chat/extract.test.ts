import { describe, expect, it } from 'vitest';
import { extract, findEmail, findName, findPhone, nextReply } from './extract';

describe('extract', () => {
  it('finds a name, an email and a phone in one message', () => {
    expect(extract("Hi, I'm Ada Lovelace, write to Ada@Example.com or call +44 20 7946 0958")).toEqual({
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      phone: '+44 20 7946 0958',
    });
  });

  it('reads the usual ways of giving a name', () => {
    expect(findName('my name is Grace Hopper')).toBe('Grace Hopper');
    expect(findName('This is José Álvarez-Núñez speaking')).toBe('José Álvarez-Núñez');
    expect(findName('hello, call me Alan')).toBe('Alan');
    expect(findName('Name: Marie Curie')).toBe('Marie Curie');
    expect(findName("im Linus")).toBe('Linus');
  });

  it('does not take ordinary words for a name', () => {
    expect(findName("I'm looking for a quote")).toBeUndefined();
    expect(findName("I'm Interested in the premium plan")).toBeUndefined();
    expect(findName('I am not sure yet')).toBeUndefined();
    expect(findName("I'm Ada From Paris")).toBe('Ada');
    expect(findName('What are your prices?')).toBeUndefined();
  });

  it('finds phones in common formats and ignores short numbers', () => {
    expect(findPhone('call (415) 555-2671 tomorrow')).toBe('(415) 555-2671');
    expect(findPhone('my number: 06 12 34 56 78')).toBe('06 12 34 56 78');
    expect(findPhone('+1.202.555.0143')).toBe('+1.202.555.0143');
    expect(findPhone('I need 3 seats for 120 people')).toBeUndefined();
    expect(findPhone('order 12345')).toBeUndefined();
    expect(findPhone('a number longer than E.164: 1234567890123456')).toBeUndefined();
  });

  it('does not read digits inside an email as a phone', () => {
    expect(findPhone('me+4155552671@example.com')).toBeUndefined();
    expect(findEmail('me+4155552671@example.com')).toBe('me+4155552671@example.com');
  });

  it('finds nothing in small talk', () => {
    expect(extract('What does the premium plan cost?')).toEqual({});
  });
});

describe('nextReply', () => {
  it('asks for the name, then a way to reach the visitor, then thanks them', () => {
    expect(nextReply({}, {})).toMatch(/your name/);
    expect(nextReply({ name: 'Ada Lovelace' }, { name: 'Ada Lovelace' })).toMatch(/Ada! What is the best email/);
    expect(nextReply({ name: 'Ada Lovelace', email: 'ada@example.com' }, { email: 'ada@example.com' })).toMatch(/Thank you Ada/);
    expect(nextReply({ name: 'Ada', email: 'ada@example.com' }, {})).toMatch(/Anything else/);
  });

  it('welcomes back a visitor the lookup found', () => {
    expect(nextReply({ name: 'Ada Lovelace', email: 'ada@example.com' }, { email: 'ada@example.com' }, undefined, true)).toMatch(
      /^Welcome back Ada!/,
    );
    expect(nextReply({ email: 'ada@example.com' }, { email: 'ada@example.com' }, undefined, true)).toMatch(/^Welcome back!/);
  });

  it('asks again when the details were refused', () => {
    expect(nextReply({}, { phone: '12345678' }, 'that phone number does not look right')).toMatch(/check it/);
  });
});
