/** Whether `classId` is `filter` or a class below it: "food" matches "food.dairy-eggs", "food.dairy" does not match "food.dairy-eggs". */
export function isClassOrBelow(classId: string | null, filter: string): boolean {
  return classId !== null && (classId === filter || classId.startsWith(`${filter}.`));
}
