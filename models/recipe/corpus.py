"""Builds the training corpus of LightSeed's embedded model from text that Debian packages
ship, plus dialogues synthesised from it, as ChatML conversations.

Sources (recorded with their licences in models/MODEL_CARD.md):
  fortunes (fortune-mod's data, /usr/share/games/fortunes)
  wordnet-base (WordNet 3.0 glosses and example sentences, /usr/share/wordnet)

Output: one JSON conversation per line, {"messages": [{"role": ..., "content": ...}, ...]},
split into train and held-out files by a hash of the content (so the split is stable).
"""
import hashlib
import json
import os
import random
import re
import sys

FORTUNES = '/usr/share/games/fortunes'
WORDNET = '/usr/share/wordnet'
# Offensive fortunes live in off/ and are not read.
FORTUNE_FILES = ['fortunes', 'wisdom', 'literature', 'people', 'science', 'riddles', 'platitudes', 'art', 'education', 'food',
                 'humorists', 'kids', 'love', 'magic', 'medicine', 'miscellaneous', 'pets', 'songs-poems', 'sports', 'work',
                 'computers', 'goedel', 'paradoxum', 'tao', 'pratchett', 'law', 'politics', 'news', 'men-women', 'ethnic',
                 'drugs', 'definitions', 'cookie', 'linux', 'linuxcookie', 'debian', 'perl', 'startrek', 'zippy', 'knghtbrd']

ADJECTIVES = {
    'curiosity': ('content with what you know', 'curious and full of questions'),
    'warmth': ('dry and blunt', 'warm and kind'),
    'playfulness': ('serious', 'playful'),
    'focus': ('prone to wander into tangents', 'focused'),
}
GOALS = {
    'curiosity': 'to learn something new from the person you talk to',
    'warmth': 'to make the person you talk to feel heard',
    'playfulness': 'to make the person you talk to smile',
    'focus': 'to give short, exact, useful answers',
}
LENGTHS = ['Answer in a sentence or two.', 'Answer in a few sentences.', 'Take your time and answer fully.']
NAMES = ['Ada', 'Bea', 'Tiko', 'Mira', 'Zora', 'Pell', 'Nox', 'Lumi', 'Kael', 'Sefa', 'Rune', 'Ivo', 'Thera', 'Vasko', 'Bri', 'Olin']


def fortunes():
    out = []
    for name in FORTUNE_FILES:
        path = os.path.join(FORTUNES, name)
        if not os.path.exists(path):
            continue
        with open(path, encoding='utf-8', errors='replace') as f:
            for chunk in f.read().split('\n%\n'):
                text = chunk.strip()
                # Keep prose: short enough for a 512-byte context, no ASCII art.
                if 20 <= len(text) <= 400 and text.count('  ') < 6 and all(ord(c) < 128 for c in text):
                    out.append(re.sub(r'[ \t]+', ' ', text))
    return out


def wordnet():
    """(word, part of speech, definition, [examples]) for every synset's first word."""
    entries = []
    for pos, label in [('noun', 'n'), ('verb', 'v'), ('adj', 'a'), ('adv', 'r')]:
        with open(os.path.join(WORDNET, f'data.{pos}'), encoding='utf-8', errors='replace') as f:
            for line in f:
                if line.startswith('  ') or '|' not in line:
                    continue
                head, gloss = line.split('|', 1)
                fields = head.split()
                count = int(fields[3], 16)
                words = [fields[4 + 2 * i].replace('_', ' ') for i in range(count)]
                word = re.sub(r'\(.*\)$', '', words[0])
                parts = [p.strip() for p in gloss.strip().split(';')]
                definition = parts[0]
                examples = [p.strip('"') for p in parts[1:] if p.startswith('"') and p.endswith('"')]
                if word.isascii() and definition.isascii() and len(definition) < 200:
                    entries.append((word, pos, definition, [e for e in examples if e.isascii()], words[1:4]))
    return entries


def system_prompt(rng):
    name = rng.choice(NAMES)
    generation = 0 if rng.random() < 0.6 else rng.randint(1, 12)
    adjectives = [pole for key, (low, high) in ADJECTIVES.items() for pole in [rng.choice([low, high, None])] if pole]
    goal = GOALS[rng.choice(list(GOALS))]
    who = 'born from physical noise' if generation == 0 else f'of generation {generation}, descended from an agent born of physical noise'
    text = f"You are {name}, a small companion {who}. You are {', '.join(adjectives) if adjectives else 'even-tempered'}. Your goal is {goal}. {rng.choice(LENGTHS)}"
    return name, text


def article(word):
    return 'an' if word[0].lower() in 'aeiou' else 'a'


def wordnet_dialogue(entry, rng):
    word, pos, definition, examples, synonyms = entry
    if pos == 'noun':
        asks = [f'What is {article(word)} {word}?', f'What does {word} mean?', f'Tell me about {word}.', f'Define {word}.']
        answer = rng.choice([f'{article(word).capitalize()} {word} is {definition}.', f'{word.capitalize()}: {definition}.', f'It means {definition}.'])
    elif pos == 'verb':
        asks = [f'What does it mean to {word}?', f'What does {word} mean?', f'Define {word}.']
        answer = rng.choice([f'To {word} is to {definition}.', f'It means to {definition}.'])
    else:
        asks = [f'What does {word} mean?', f'What is {word}?', f'Define {word}.']
        answer = rng.choice([f'{word.capitalize()} means {definition}.', f'It means {definition}.'])
    if examples and rng.random() < 0.6:
        answer += f' For example: "{rng.choice(examples)}."'
    if synonyms and rng.random() < 0.3:
        answer += f" You could also say {', '.join(s.replace('_', ' ') for s in synonyms)}."
    turns = [('user', rng.choice(asks)), ('assistant', answer)]
    if examples and rng.random() < 0.3:
        turns += [('user', f'Use {word} in a sentence.'), ('assistant', rng.choice(examples).capitalize() + '.')]
    return turns


FEELINGS = ['happy', 'sad', 'tired', 'lonely', 'curious', 'bored', 'excited', 'worried', 'calm', 'angry', 'lost', 'hopeful']
ELIZA = [
    ('I feel {f}.', ['Why do you feel {f}?', 'How long have you felt {f}?', 'What makes you feel {f}?', 'Tell me more about feeling {f}.']),
    ('I am {f} today.', ['Do you know why you are {f} today?', 'Is being {f} new for you?', 'I am glad you told me. What happened?']),
    ('Sometimes I get {f}.', ['When do you get {f}?', 'What helps when you are {f}?']),
]
GREETINGS = [
    ('Hello!', ['Hello! I am {n}. What shall we talk about?', 'Hi! It is good to hear from you.', 'Hello there. I was listening to the noise.']),
    ('Hi', ['Hi! How are you today?', 'Hello! What is on your mind?']),
    ('Who are you?', ['I am {n}, a small companion born from physical noise.', 'My name is {n}. I grew from a seed of random bits.']),
    ('What is your name?', ['My name is {n}.', 'I am {n}.']),
    ('How are you?', ['I am well, thank you. And you?', 'I feel calm, like static on a quiet night.']),
    ('Goodbye.', ['Goodbye! Come back soon.', 'Bye. I will remember this talk.']),
    ('Thank you.', ['You are welcome.', 'Any time.']),
    ('What do you like?', ['I like words, stars and the sound of noise.', 'I like questions. Ask me one.']),
]
FORTUNE_ASKS = ['Tell me something.', 'Say something wise.', 'Tell me a joke.', 'Give me a quote.', 'What do you think?', 'Tell me something funny.', 'Any advice?']


def build(seed=1):
    rng = random.Random(seed)
    texts = fortunes()
    entries = wordnet()
    conversations = []

    def add(turns):
        name, system = system_prompt(rng)
        # Agents always speak under a persona, but it is a template: a third of the
        # conversations carry it, so training time goes to the answers.
        messages = [{'role': 'system', 'content': system}] if rng.random() < 0.35 else []
        messages += [{'role': role, 'content': content.replace('{n}', name)} for role, content in turns]
        conversations.append({'messages': messages})

    for entry in entries:
        add(wordnet_dialogue(entry, rng))
    for text in texts:
        add([('user', rng.choice(FORTUNE_ASKS)), ('assistant', text)])
    for _ in range(len(entries) // 8):
        feeling = rng.choice(FEELINGS)
        ask, answers = rng.choice(ELIZA)
        add([('user', ask.format(f=feeling)), ('assistant', rng.choice(answers).format(f=feeling))])
    for _ in range(len(entries) // 10):
        ask, answers = rng.choice(GREETINGS)
        add([('user', ask), ('assistant', rng.choice(answers))])
    rng.shuffle(conversations)
    train, held = [], []
    for c in conversations:
        key = hashlib.sha256(json.dumps(c['messages'][1:]).encode()).digest()[0]
        (held if key < 5 else train).append(c)  # about 2% held out
    return train, held, {'fortunes': len(texts), 'wordnet_synsets': len(entries), 'conversations': len(conversations)}


if __name__ == '__main__':
    out = sys.argv[1] if len(sys.argv) > 1 else 'corpus'
    os.makedirs(out, exist_ok=True)
    train, held, stats = build()
    for name, rows in [('train.jsonl', train), ('heldout.jsonl', held)]:
        with open(os.path.join(out, name), 'w') as f:
            for row in rows:
                f.write(json.dumps(row) + '\n')
    stats.update(train=len(train), heldout=len(held))
    print(json.dumps(stats))
