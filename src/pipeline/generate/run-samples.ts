import { CodemonkeysError } from '../../errors.js';
import type { GenerationInput, GenerationResult } from './types.js';

/**
 * Runs config.samples independent samples (testing machine then editing machine each).
 * API placeholder committed early; implementation follows.
 */
export async function runGeneration(_input: GenerationInput): Promise<GenerationResult> {
  throw new CodemonkeysError('INTERNAL', 'runGeneration is not implemented yet');
}
