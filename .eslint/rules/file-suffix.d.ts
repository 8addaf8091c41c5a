import type { Rule } from 'eslint';

declare const rule: Rule.RuleModule;
export default rule;
export function environmentOf(file: string): 'std' | 'node' | 'main' | 'preload' | 'dom' | undefined;
