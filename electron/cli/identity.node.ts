// This installation's identity on the command line: the public key that signs its exports.
import { join } from 'node:path';
import { IDENTITY_FILE, loadOrCreateIdentity, shortKey } from '../identity/identity.node';
import type { Command } from './command.node';

export const identityCommand: Command = {
  name: 'identity',
  summary: "This installation's public key, which signs the agents it exports (created on first use)",
  usage: '[--json]',
  options: { json: { type: 'boolean' } },
  optionHelp: { json: { text: 'print JSON' } },
  async run(values, _positionals, context) {
    const identity = loadOrCreateIdentity(context.dataDir);
    const file = join(context.dataDir, IDENTITY_FILE);
    if (values.json) context.out(JSON.stringify({ publicKey: identity.publicKey, short: shortKey(identity.publicKey), file }, null, 2));
    else {
      context.out(`${shortKey(identity.publicKey)}  ${identity.publicKey}`);
      context.out(`The private key is ${file} (readable by you only). Back it up with the database: without it, agents this installation signs can no longer be told to come from the same place.`);
    }
    return 0;
  },
};
