/** The image path as the customer wrote it, without the proxy's "proxy/" prefix. */
export function imageName(repository: string): string {
  return repository.replace(/^proxy\//, "");
}
