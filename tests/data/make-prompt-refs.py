#!/usr/bin/python3
# make-prompt-refs.py
#
# Copyright 2026 The Tessera authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Reference token ids for tests/test-prompts.c, from the reference code
# itself:
#
# - OpenAI's CLIP tokenizer, clip/simple_tokenizer.py of
#   github.com/openai/CLIP at commit d05afc436d78f1c48dc0dbf8e5980a9d471f35f6
#   (with its bpe_simple_vocab_16e6.txt.gz, which data/clip/ ships). It
#   calls ftfy.fix_text(), which Debian does not package; an identity
#   stands in for it, which is exact for the texts here (ftfy changes
#   mojibake, curly quotes, ligatures and full-width forms, none of which
#   they hold).
# - AUTOMATIC1111's prompt syntax and chunking, from
#   github.com/AUTOMATIC1111/stable-diffusion-webui:
#   modules/prompt_parser.py at commit 28bd8e142d5f77b71ae8d7d7140b5da1b3a49906
#   (parse_prompt_attention; SHA-256 of the file with LF line ends
#   4b86e92fdc8417ceee98fbf4d93b75ab22e4c0456d714ee3ca112fcce4341167) and
#   modules/sd_hijack_clip.py at commit 5ad03e65863b0972e133c00692556752016f10c8
#   (TextConditionalModel.tokenize_line, and process_tokens for SD 2.x's
#   padding; SHA-256 951b191062d489b8928f0bc52ad408f889d15faed1865df6fc9788e6ccc2f781),
#   imported as they are, with stand-ins for the web UI's other modules
#   (the options at their defaults: emphasis "Original",
#   comma_padding_backtrack 20; no textual-inversion embeddings) and
#   CLIP's tokenizer above in place of the model's.
#
# Run with Debian 12's Python 3.11 and python3-regex, python3-lark and
# python3-torch (which the A1111 files import); the files here were made
# with Python 3.11.2, regex 2022.10.31 (2.5.123), lark 1.1.5, torch 1.13:
#
#   git -C CLIP archive d05afc43 clip | tar -x -C /tmp/clip
#   (save the two A1111 files above into /tmp/a1111/modules/)
#   /usr/bin/python3 make-prompt-refs.py /tmp/clip /tmp/a1111
#
# It writes prompts/tokenizer.json (texts and their ids, from the shipped
# merges and from a small tokenizer made of the first 2000 merges, which
# it writes as a diffusers folder's tokenizer/ holds one:
# prompts/small/vocab.json and merges.txt) and prompts/prompts.json
# (prompts, their pieces and weights, their chunks for SD 1.x and the ids
# with SD 2.x's padding, or that A1111 refuses them).

import gzip
import importlib.util
import json
import os
import random
import sys
import types

import lark
import regex
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'prompts')
SMALL_MERGES = 2000

CLIP_COMMIT = 'd05afc436d78f1c48dc0dbf8e5980a9d471f35f6'
A1111_FILES = {
    'modules/prompt_parser.py': '28bd8e142d5f77b71ae8d7d7140b5da1b3a49906',
    'modules/sd_hijack_clip.py': '5ad03e65863b0972e133c00692556752016f10c8',
}


def load_module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_clip(clip_dir):
    ftfy = types.ModuleType('ftfy')
    ftfy.fix_text = lambda text: text
    sys.modules['ftfy'] = ftfy
    return load_module('simple_tokenizer', os.path.join(clip_dir, 'clip', 'simple_tokenizer.py'))


class NoEmbeddings:
    def find_embedding_at_position(self, tokens, offset):
        return None, None


class NoEmphasis:
    """Stands in for sd_emphasis's classes: z is left as it is."""

    def after_transformers(self):
        pass


def load_a1111(a1111_dir):
    package = types.ModuleType('modules')
    package.__path__ = []
    shared = types.ModuleType('modules.shared')
    shared.opts = types.SimpleNamespace(emphasis='Original', comma_padding_backtrack=20,
                                        use_old_emphasis_implementation=False)
    devices = types.ModuleType('modules.devices')
    devices.device = torch.device('cpu')
    devices.torch_npu_set_device = lambda: None
    sd_hijack = types.ModuleType('modules.sd_hijack')
    sd_hijack.model_hijack = types.SimpleNamespace(embedding_db=NoEmbeddings(), fixes=None)
    sd_emphasis = types.ModuleType('modules.sd_emphasis')
    sd_emphasis.get_current_option = lambda name: NoEmphasis
    for name, module in (('shared', shared), ('devices', devices), ('sd_hijack', sd_hijack),
                         ('sd_emphasis', sd_emphasis)):
        sys.modules['modules.' + name] = module
        setattr(package, name, module)
    sys.modules['modules'] = package

    package.prompt_parser = load_module('modules.prompt_parser',
                                        os.path.join(a1111_dir, 'modules', 'prompt_parser.py'))
    sd_hijack_clip = load_module('modules.sd_hijack_clip',
                                 os.path.join(a1111_dir, 'modules', 'sd_hijack_clip.py'))
    return package.prompt_parser, sd_hijack_clip, shared.opts


def make_encoder(sd_hijack_clip, tokenizer, pad):
    """A1111's text encoder wrapper around CLIP's tokenizer; the encoder
    itself only hands back the ids it is given, with the padding applied."""

    class Encoder(sd_hijack_clip.TextConditionalModel):
        def __init__(self):
            super().__init__()
            self.comma_token = tokenizer.encoder.get(',</w>')
            self.id_start = tokenizer.encoder['<|startoftext|>']
            self.id_end = tokenizer.encoder['<|endoftext|>']
            self.id_pad = self.id_end if pad is None else pad
            self.seen = None

        def tokenize(self, texts):
            return [tokenizer.encode(text) for text in texts]

        def encode_with_transformers(self, tokens):
            self.seen = tokens.tolist()
            return torch.zeros(tokens.shape[0], tokens.shape[1], 1)

        def padded_ids(self, chunk):
            self.process_tokens([chunk.tokens], [chunk.multipliers])
            return self.seen[0]

    return Encoder()


# Texts for the tokenizer alone.
TEXTS = [
    '', ' ', '   \t\n ', 'a', 'A', 'hello world', 'Hello, World!', 'HELLO   world\t\tagain\n',
    'a photo of a cat', 'A Photo Of A Cat.', "it's don't we're they've I'm you'll he'd",
    "IT'S DON'T WE'RE", "'s 't 're 've 'm 'll 'd", "o'clock rock'n'roll ''quoted''",
    'dogs,cats;birds:fish.', '...!!!???', '(((a))) [[b]] {c} <d>', '#hashtag @mention $100 50%',
    'e-mail foo_bar foo-bar foo/bar foo\\bar', '1234567890', '3.14159 2,718 1e10 0x1F',
    '2024-01-01 12:30:45', 'v1.5 sd2.1 sdxl-1.0', '8k uhd 4k 1080p', '１２３ ＡＢＣ',
    'Привет, мир!', 'Ёжик в тумане', 'Москва 2024', 'ΣΊΣΥΦΟΣ Σ ΑΣ ΑΣ. Σa', 'Οδυσσέας',
    '안녕하세요 세계', '고양이 사진, 고화질', '한국어와 English 혼합', '日本語のテキスト', '中文提示词，高清',
    'café naïve résumé Ångström', 'Ça va? ¿Qué tal? Größe straße', 'İstanbul ıi İ', 'ǅemal ǈ ǋ',
    'e\u0301 combining acute, n\u0303', 'ſtar ſs \'ſ', 'ﬁne ﬂow', 'x\u0345y \u0345',
    '😀 😃 😄', '👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈', '🇺🇸🇯🇵', 'cat🐱dog🐶', '♥ ★ ☆ ♪', '→ ← ↑ ↓', '∑∫√∞≈≠',
    '&amp; &lt;tag&gt; &quot;quoted&quot; &#39;apos&#39;', '&amp;amp; &amp;lt;', 'AT&T R&D fish&chips',
    '&notit; &notin; &not &copy2024 &eacute;t&eacute; &Eacute', '&#233; &#xE9; &#XE9 &#x1F600; &#128512;',
    '&#0; &#128; &#150; &#x80; &#13; &#1; &#xD800; &#x110000; &#99999999999999999999;',
    '&nbsp;non&nbsp;breaking&nbsp;', '&#32;&#9;spaces&#10;', '&;&#;&#x;&&&', '&hearts;&spades;&rarr;',
    '<|startoftext|>a photo<|endoftext|>', '<|STARTOFTEXT|> <|EndOfText|>', '<<|endoftext|>>',
    'a\u00a0b\u2003c\u3000d\u200bE\u2028f\x1cg\x1fh\x85i', '\x1c lead and trail \x1d', 'tab\there',
    'line\r\nbreak\rcr', 'zero\u200bwidth\u200dj\ufeffoin', 'soft\u00adhyphen', 'ctrl\x01\x07\x7f',
    'ٱلعربية ١٢٣', 'עברית', 'हिन्दी ४२', 'ภาษาไทย', 'ⅫⅪ ⅰⅱ ⓐⒶ', 'µ°±²³', 'ºª',
    'masterpiece, best quality, ultra-detailed, 8k, photorealistic',
    'a_b__c', "l'été d'Anjou", 'Ελληνικά ΑΒΓ', 'ꙮ', 'ǰ ẞ ß', 'Ωmega Kelvin K Å',
]

# Prompts for A1111's syntax and chunking; (prompt, comma_padding_backtrack).
LONG = ', '.join('word%d' % i for i in range(60))
PROMPTS = [
    '', ' ', '\t\n', 'a cat', 'normal text',
    'an (important) word', '((double)) and (((triple)))', '[less] [[lesser]] [[[least]]]',
    '(word:1.3)', '(word: 1.3 )', '(word:0.5) (word:0) (word:-1) (word:+2.5) (word:.5) (word:5.)',
    '((word:1.3))', '[(word:1.5)]', '(a (b (c:1.2) d) e)', '(a [b] c)', 'a (((house:1.3)) [on] a (hill:0.5), sun, (((sky))).',
    '(unbalanced', '((unbalanced', 'unbalanced)', '[unbalanced', 'unbalanced]', ')(', '][', '([)]', '[(])',
    '(a][b)', 'a:b', 'a : b', ':', '::', '(:)', '(a:)', '(a:b)', '(a:1', 'a:1.5)', '(a:1.5', '(a:1.5)(b:2)',
    '(unnecessary)(parens)', '\\(literal\\]', '\\\\ backslash', 'lone \\ backslash\\', '\\a\\b', '\\',
    '\\(escaped:1.2\\)', '(\\(nested escape\\))', '(a:١.٥)', '(a:٣)',
    '(word:1.2.3)', '(word:..)', '(word:.)', '(word:-.)', '(word:+)', 'word:1.2.3)',
    'BREAK', 'BREAK a', 'a BREAK', 'a BREAK b', 'a  BREAK  b', 'aBREAK b', 'a BREAKb', 'a break b',
    'a BREAK BREAK b', 'BREAK BREAK', 'a\nBREAK\nb', '(a BREAK b)', '[a BREAK b]', '(BREAK:1)',
    'a (b) BREAK (c) d', 'a,BREAK,b', 'éBREAK', 'BREAK_', '_BREAK', '1BREAK',
    'a photo of a cat, (masterpiece:1.2), [blurry], best quality',
    'masterpiece, best quality, 1girl, solo, (long hair:1.1), blue eyes, [smile], outdoors, cherry blossoms, '
    '(detailed background:1.3), sunlight, BREAK, lowres, bad anatomy',
    'portrait of a knight in ornate armor, intricate, elegant, highly detailed, digital painting, artstation, '
    'concept art, smooth, sharp focus, illustration, art by greg rutkowski and alphonse mucha, 8k',
    '((masterpiece)), ((best quality)), (ultra-detailed), (illustration), (an extremely delicate and beautiful), '
    'dynamic angle, floating, (beautiful detailed eyes), (detailed light), 1girl, loli, floating hair, glowing eyes, '
    'pointy ears, white hair, green eyes, halo, feathered wings, [[star (sky)]], starry sky, (fire:1.5), (stars:1.2)',
    'Пейзаж с (горами:1.2) и [рекой], высокое качество', '(고양이:1.3), 귀여운, [배경]', '😀 (😃:1.5) [😄]',
    '&amp; (&lt;tag&gt;:1.1)', 'café (naïve:1.2)',
    ' '.join(['word'] * 74), ' '.join(['word'] * 75), ' '.join(['word'] * 76), ' '.join(['word'] * 150),
    ' '.join(['word'] * 151), ' '.join(['word'] * 300),
    LONG, '(' + LONG + ')', LONG + ' BREAK ' + LONG,
    ' '.join(['x'] * 70) + ', ' + ' '.join(['y'] * 10),
    ' '.join(['x'] * 54) + ', ' + ' '.join(['y'] * 30),
    ' '.join(['x'] * 55) + ', ' + ' '.join(['y'] * 30),
    ' '.join(['x'] * 74) + ', y z',
    ' '.join(['x'] * 75) + ', y z',
    ' '.join(['x'] * 73) + ', ' + ' '.join(['(y:1.2)'] * 5),
    ', '.join(['x'] * 100),
    ', '.join(['x y'] * 60),
    ' '.join(['x'] * 70) + ', ' + ' '.join(['y'] * 10) + ' BREAK z',
    'BREAK ' + ' '.join(['x'] * 80),
    ' '.join(['x'] * 75) + ' BREAK y',
    ' '.join(['x'] * 74) + ' <|endoftext|> y',
]
BACKTRACK_PROMPTS = [
    (' '.join(['x'] * 70) + ', ' + ' '.join(['y'] * 10), 0),
    (' '.join(['x'] * 70) + ', ' + ' '.join(['y'] * 10), 5),
    (' '.join(['x'] * 65) + ', ' + ' '.join(['y'] * 10), 5),
    (', '.join(['x y z'] * 40), 3),
    (LONG, 75),
]


def random_text(rng, length):
    pool = (
        list('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789') * 3 +
        list(' ' * 20) + list('.,;:!?\'"-_/\\()[]{}<>|@#$%^&*+=~`') +
        ['\t', '\n', '\r', '\u00a0', '\u2003', '\u3000', '\x1c', '\u200b', '\u0345', '\u00ad'] +
        list('абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗ') + list('ΣσςΑΒΓαβγΌΊ') +
        list('가나다라마바사아자차카타파하한국어') + list('日本語中文') + list('éèêëàâäçñöüÅØß') +
        ['e\u0301', 'İ', 'ı', 'ſ', 'ǅ', 'ﬁ', '١', '४', '１', 'Ⅻ', 'ⓐ', 'µ', 'º'] +
        ['😀', '🐱', '👍🏽', '👨‍👩‍👧', '🇯🇵', '♥', '→', '∞'] +
        ['&amp;', '&lt;', '&gt', '&quot;', '&#39;', '&#x1F600;', '&notin;', '&not', '&eacute',
         '&#0;', '&#128;', '&nbsp;', '&amp;amp;', '&', '&#', "'s", "'LL", "'re",
         '<|endoftext|>', '<|startoftext|>']
    )
    return ''.join(rng.choice(pool) for _ in range(length))


def random_prompt(rng, length):
    pool = (['cat', 'dog', 'red', 'big', 'a', 'the', 'photo', 'masterpiece', 'café', 'кот', '고양이', '😀'] * 3 +
            [' '] * 30 + [', '] * 8 + ['(', ')', '[', ']'] * 4 + [':', ':1.2)', ': 0.5 )', ':-1)', ':1.2.3)',
                                                                    '\\(', '\\)', '\\[', '\\]', '\\\\', '\\',
                                                                    ' BREAK ', 'BREAK', '\n', '.'])
    return ''.join(rng.choice(pool) for _ in range(length))


def dump_list(items):
    return '[\n' + ',\n'.join(json.dumps(item, ensure_ascii=False, separators=(',', ':')) for item in items) + '\n]'


def main():
    clip_dir, a1111_dir = sys.argv[1], sys.argv[2]
    simple_tokenizer = load_clip(clip_dir)
    prompt_parser, sd_hijack_clip, opts = load_a1111(a1111_dir)
    tokenizer = simple_tokenizer.SimpleTokenizer()
    rng = random.Random(20260101)
    os.makedirs(os.path.join(OUT, 'small'), exist_ok=True)

    # A small tokenizer: CLIP's with the first merges only, read by CLIP's
    # own code, and written as vocab.json and merges.txt.
    lines = gzip.open(simple_tokenizer.default_bpe()).read().decode('utf-8').split('\n')
    small_path = os.path.join(OUT, 'small', 'bpe.txt.gz')
    with gzip.open(small_path, 'wb') as stream:
        stream.write('\n'.join(lines[:SMALL_MERGES + 1]).encode('utf-8'))
    small = simple_tokenizer.SimpleTokenizer(small_path)
    os.unlink(small_path)
    with open(os.path.join(OUT, 'small', 'vocab.json'), 'w', encoding='utf-8') as stream:
        json.dump(small.encoder, stream, ensure_ascii=False)
    with open(os.path.join(OUT, 'small', 'merges.txt'), 'w', encoding='utf-8') as stream:
        stream.write('#version: 0.2\n' + ''.join(' '.join(merge) + '\n' for merge in
                                                 sorted(small.bpe_ranks, key=small.bpe_ranks.get)))

    texts = TEXTS + [random_text(rng, rng.randint(1, 40)) for _ in range(300)]
    texts.append(' '.join(random_text(rng, 8) for _ in range(200)))
    tokenizer_refs = {
        'clip_commit': CLIP_COMMIT,
        'python': sys.version.split()[0],
        'regex': regex.__version__,
        'small_merges': SMALL_MERGES,
        'texts': [{'text': text, 'ids': tokenizer.encode(text), 'small_ids': small.encode(text)}
                  for text in texts],
    }
    with open(os.path.join(OUT, 'tokenizer.json'), 'w', encoding='utf-8') as stream:
        stream.write('{\n')
        for key in ('clip_commit', 'python', 'regex', 'small_merges'):
            stream.write('"%s": %s,\n' % (key, json.dumps(tokenizer_refs[key])))
        stream.write('"texts": %s\n}\n' % dump_list(tokenizer_refs['texts']))

    sd1 = make_encoder(sd_hijack_clip, tokenizer, None)
    sd2 = make_encoder(sd_hijack_clip, tokenizer, 0)
    cases = [(prompt, 20) for prompt in PROMPTS] + BACKTRACK_PROMPTS
    n_written = len(cases)
    cases += [(random_prompt(rng, rng.randint(1, 60)), 20) for _ in range(60)]
    cases += [(random_prompt(rng, rng.randint(100, 200)), 20) for _ in range(4)]
    records = []
    for number, (prompt, backtrack) in enumerate(cases):
        opts.comma_padding_backtrack = backtrack
        record = {'prompt': prompt, 'backtrack': backtrack}
        try:
            record['pieces'] = prompt_parser.parse_prompt_attention(prompt)
        except ValueError:
            record['error'] = True
            records.append(record)
            continue
        chunks, token_count = sd1.tokenize_line(prompt)
        record['token_count'] = token_count
        record['chunks'] = [{'ids': chunk.tokens, 'multipliers': chunk.multipliers} for chunk in chunks]
        # SD 2.x's padding, for the prompts written here (the random ones
        # would only make the file larger).
        if number < n_written:
            record['ids_pad0'] = [sd2.padded_ids(chunk) for chunk in sd2.tokenize_line(prompt)[0]]
        records.append(record)

    with open(os.path.join(OUT, 'prompts.json'), 'w', encoding='utf-8') as stream:
        stream.write('{\n"clip_commit": %s,\n"a1111_files": %s,\n"python": %s,\n"lark": %s,\n"cases": %s\n}\n' % (
            json.dumps(CLIP_COMMIT), json.dumps(A1111_FILES), json.dumps(sys.version.split()[0]),
            json.dumps(lark.__version__), dump_list(records)))


if __name__ == '__main__':
    main()
