/** The protocol error types along an error's cause chain (kafkajs wraps them in retry errors). */
export function errorTypes(error: unknown): string[] {
  const types: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 10; depth += 1) {
    const candidate = current as { type?: unknown; cause?: unknown; errors?: unknown };
    if (typeof candidate.type === 'string') types.push(candidate.type);
    if (Array.isArray(candidate.errors))
      types.push(...candidate.errors.flatMap((inner) => errorTypes(inner)));
    current = candidate.cause;
  }
  return types;
}
