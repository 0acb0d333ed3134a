/** asl-validator 4.0.0 ships no type declarations; this is the part the tests use. */
declare module 'asl-validator' {
  export interface AslValidationError {
    /** Capital M: that is how asl-validator names it. */
    Message: string;
    [key: string]: unknown;
  }

  export interface AslValidatorOptions {
    /** Check JSONPath syntax in *Path fields. */
    checkPaths: boolean;
    /** Check that Task Resource values are ARNs. */
    checkArn: boolean;
  }

  export interface AslValidationResult {
    isValid: boolean;
    errors: AslValidationError[];
    errorsText(separator?: string): string;
  }

  /**
   * Validates a state machine definition. It MUTATES its input (adds QueryLanguage to each
   * state): pass a copy. Options replace the defaults (both true) instead of merging with them.
   */
  function aslValidator(definition: unknown, options?: AslValidatorOptions): AslValidationResult;

  export = aslValidator;
}
