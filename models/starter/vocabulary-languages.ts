/**
 * The starter catalog's names in other languages and scripts: Spanish, German, French, Hindi (Devanagari and
 * transliterated), Russian, Chinese and Japanese (the scripts of South and East India are in
 * vocabulary-indian-scripts.ts). One table per language: for each class, the product types and varieties as a shop
 * in that language writes them; brands are shared per class (international and local).
 * Written for this project from general retail knowledge; generate.ts composes names from it.
 */

import type { ClassVocabulary, SizeKind } from './vocabulary.ts';
import { INDIAN_SCRIPT_TABLES } from './vocabulary-indian-scripts.ts';

type ClassKey =
  | 'beverages'
  | 'snacks'
  | 'breakfast'
  | 'pantry'
  | 'canned'
  | 'dairy'
  | 'fresh'
  | 'frozen'
  | 'household'
  | 'care'
  | 'pet'
  | 'baby'
  | 'general';

const CLASSES: Record<ClassKey, { level1: string; level2: string; size: SizeKind; brands: string[] }> = {
  beverages: {
    level1: 'Food',
    level2: 'Beverages',
    size: 'metric',
    brands: ['Coca-Cola', 'Nestlé', 'Lipton', 'Schweppes', 'Tropicana', 'Evian', 'Heineken', 'Nescafé'],
  },
  snacks: {
    level1: 'Food',
    level2: 'Snacks & Sweets',
    size: 'metric',
    brands: ["Lay's", 'Pringles', 'Milka', 'Lindt', 'Haribo', 'Oreo', 'Ritter Sport', 'Kinder'],
  },
  breakfast: { level1: 'Food', level2: 'Breakfast', size: 'metric', brands: ["Kellogg's", 'Nestlé', 'Quaker', 'Alpen', 'Kölln', 'Dr. Oetker'] },
  pantry: {
    level1: 'Food',
    level2: 'Pantry Staples',
    size: 'metric',
    brands: ['Barilla', 'Knorr', 'Maggi', 'Heinz', 'Kikkoman', 'Dr. Oetker', "Uncle Ben's", 'Bertolli'],
  },
  canned: {
    level1: 'Food',
    level2: 'Canned & Packaged Foods',
    size: 'metric',
    brands: ['Bonduelle', 'Heinz', 'Hengstenberg', 'Nissin', 'Knorr', 'Maggi', 'Goya', 'Hipp'],
  },
  dairy: {
    level1: 'Food',
    level2: 'Dairy & Eggs',
    size: 'metric',
    brands: ['Danone', 'Président', 'Arla', 'Müller', 'Lactalis', 'Activia', 'Meiji', 'Yili'],
  },
  fresh: { level1: 'Food', level2: 'Fresh Food', size: 'metric', brands: ['', '', 'Bio', 'Farm Fresh', 'Harry', 'Golden Farm'] },
  frozen: {
    level1: 'Food',
    level2: 'Frozen Foods',
    size: 'metric',
    brands: ['Iglo', 'Findus', 'Dr. Oetker', 'McCain', 'Häagen-Dazs', 'Ajinomoto', 'Picard', 'Frosta'],
  },
  household: {
    level1: 'Non-Food',
    level2: 'Household',
    size: 'count',
    brands: ['Fairy', 'Ariel', 'Persil', 'Domestos', 'Tefal', 'WMF', 'Ikea', 'Vileda'],
  },
  care: {
    level1: 'Non-Food',
    level2: 'Personal Care & Health',
    size: 'count',
    brands: ['Nivea', "L'Oréal", 'Dove', 'Colgate', 'Garnier', 'Shiseido', 'Bayer', 'Himalaya'],
  },
  pet: { level1: 'Non-Food', level2: 'Pet Supplies', size: 'metric', brands: ['Whiskas', 'Pedigree', 'Royal Canin', 'Purina', 'Felix', 'Trixie'] },
  baby: {
    level1: 'Non-Food',
    level2: 'Baby Care',
    size: 'count',
    brands: ['Pampers', 'Huggies', 'Chicco', 'Philips Avent', "Johnson's Baby", 'Moony'],
  },
  general: {
    level1: 'Non-Food',
    level2: '',
    size: 'none',
    brands: ['Samsung', 'Apple', 'Adidas', 'Nike', 'Zara', 'LEGO', 'Bosch', 'Xiaomi', 'Sony', 'Casio'],
  },
};

export interface LanguageTable {
  language: string;
  /** Names to generate per class. */
  perClass: number;
  /**
   * Pack sizes as shops in the language write them: for food (weights, volumes), for goods, and counts and packs that
   * both carry (a pack of 6 cans, 10 pieces, 2 fillets), so a count alone never says what kind of thing is sold.
   */
  units: { food: string[]; goods: string[]; counts: string[] };
  /** How the language writes grams and millilitres, and whether a space parts number and unit. */
  metric: { g: string; ml: string; spaced: boolean };
  /** Brands that shops in the language sell, written as they write them, per class (beside the shared ones). */
  brands: Partial<Record<ClassKey, string[]>>;
  classes: Record<ClassKey, { types: string[]; variants: string[] }>;
}

// biome-ignore format: tables, one class a line
const TABLES: LanguageTable[] = [
  {
    language: 'es',
    perClass: 140,
    metric: { g: 'g', ml: 'ml', spaced: true },
    units: { food: ['500 g', '1 kg', '250 g', '1 l', '1,5 l', '2 l', '750 ml', 'pack de 6', 'bolsa 1 kg', 'lata 400 g', 'botella 1 l', ''], goods: ['1 unidad', '2 unidades', 'pack de 3', 'set de 6', 'talla única', ''] , counts: ['pack de 3', '6 unidades', '2 unidades', 'x 4', '12 uds', 'caja de 10', 'lote de 2'] },
    brands: { beverages: ['Font Vella', 'Mahou', 'Estrella Damm', 'Don Simón', 'Marcilla'], snacks: ['Cuétara', 'Valor', 'Matutano', 'Gullón'], pantry: ['Carbonell', 'La Masía', 'Brillante', 'Gallo', 'Hacendado'], canned: ['Calvo', 'Isabel', 'Cidacos', 'Gallina Blanca'], dairy: ['Central Lechera Asturiana', 'Pascual', 'García Baquero', 'Kaiku'], frozen: ['Pescanova', 'La Cocinera', 'Nestlé Helados'], household: ['Bosque Verde', 'Mistol', 'Colón'], care: ['Deliplus', 'Instituto Español'] },
    classes: {
      beverages: { types: ['Agua Mineral', 'Agua con Gas', 'Refresco de Cola', 'Zumo de Naranja', 'Jugo de Manzana', 'Café Molido', 'Café en Grano', 'Té Verde', 'Cerveza', 'Vino Tinto', 'Vino Blanco', 'Bebida Energética', 'Horchata', 'Zumo de piña', 'Néctar de melocotón', 'Refresco de limón', 'Tónica', 'Cava brut', 'Sidra natural', 'Café cápsulas', 'Té rojo', 'Batido de cacao', 'Agua de coco'], variants: ['', 'Sin Azúcar', 'Natural', 'Light', 'Descafeinado', 'Reserva', 'Crianza'] },
      snacks: { types: ['Patatas Fritas', 'Papas Fritas', 'Galletas', 'Chocolate con Leche', 'Chocolate Negro', 'Caramelos', 'Chicles', 'Frutos Secos', 'Almendras Tostadas', 'Palomitas', 'Turrón de Jijona', 'Barrita de Cereales', 'Magdalenas', 'Bizcocho', 'Churros', 'Polvorones', 'Mazapán', 'Nachos', 'Cacahuetes', 'Pistachos', 'Pasas', 'Regaliz', 'Piruletas'], variants: ['', 'Sabor Jamón', 'Al Punto de Sal', 'Con Almendras', 'Sin Gluten', 'Picante', 'Clásico'] },
      breakfast: { types: ['Cereales de Desayuno', 'Copos de Avena', 'Muesli con Frutas', 'Copos de Maíz', 'Tortitas Mezcla', 'Galletas de Desayuno', 'Muesli crujiente', 'Granola', 'Cereales integrales'], variants: ['', 'Integral', 'Con Miel', 'Sin Azúcar Añadido', 'Sabor Cacao'] },
      pantry: { types: ['Aceite de Oliva Virgen Extra', 'Arroz Redondo', 'Arroz Largo', 'Harina de Trigo', 'Azúcar Blanco', 'Sal Marina', 'Vinagre de Jerez', 'Pimentón de la Vera', 'Espaguetis', 'Macarrones', 'Lentejas Pardinas', 'Garbanzos Secos', 'Tomate Frito', 'Mayonesa', 'Miel de Flores', 'Orégano', 'Fideos', 'Tallarines', 'Harina de maíz', 'Pan rallado', 'Azafrán', 'Comino molido', 'Canela en rama', 'Ajo en polvo', 'Caldo en pastillas', 'Vinagre de vino', 'Mermelada de fresa', 'Cacao en polvo', 'Alubias blancas', 'Quinoa'], variants: ['', 'Ecológico', 'Extra', 'Dulce', 'Picante', 'Integral', 'Selección'] },
      canned: { types: ['Atún en Aceite de Oliva', 'Sardinas en Lata', 'Mejillones en Escabeche', 'Garbanzos Cocidos', 'Frijoles Negros', 'Maíz Dulce', 'Tomate Triturado', 'Sopa de Fideos', 'Fabada Asturiana', 'Aceitunas Rellenas', 'Pimientos del Piquillo', 'Leche de Fórmula Infantil', 'Berberechos', 'Anchoas en aceite', 'Pimientos asados', 'Espárragos blancos', 'Melocotón en almíbar', 'Crema de verduras', 'Lentejas cocidas', 'Albóndigas en salsa'], variants: ['', 'Lata', 'Pack de 3', 'Bajo en Sal', 'Natural', 'Tarro de Cristal'] },
      dairy: { types: ['Leche Entera', 'Leche Semidesnatada', 'Leche Desnatada', 'Yogur Natural', 'Yogur Griego', 'Queso Manchego', 'Queso Fresco', 'Mantequilla', 'Nata para Montar', 'Huevos Frescos', 'Docena de Huevos', 'Bebida de Avena', 'Natillas', 'Queso rallado', 'Requesón', 'Kéfir', 'Cuajada', 'Flan de huevo', 'Bebida de soja', 'Nata líquida'], variants: ['', 'Sin Lactosa', 'Curado', 'Semicurado', 'Desnatado', 'Camperos', 'Talla L'] },
      fresh: { types: ['Pechuga de Pollo', 'Carne Picada de Ternera', 'Lomo de Cerdo', 'Salmón Fresco', 'Merluza', 'Gambas', 'Jamón Serrano Loncheado', 'Chorizo', 'Tomates', 'Plátanos de Canarias', 'Manzanas', 'Naranjas', 'Lechuga', 'Cebollas', 'Pan de Barra', 'Tortillas de Maíz', 'Aguacates', 'Filetes de ternera', 'Costillas de cerdo', 'Muslos de pollo', 'Lubina', 'Calamares', 'Pimientos rojos', 'Calabacín', 'Patatas', 'Fresas', 'Uvas', 'Naranjas de zumo', 'Pan integral', 'Barra de pan', 'Lomo embuchado'], variants: ['', 'Bandeja', 'Ecológico', 'Granel', 'Por Kilo', 'Fileteado'] },
      frozen: { types: ['Pizza Congelada', 'Helado de Vainilla', 'Guisantes Congelados', 'Croquetas Congeladas', 'Varitas de Merluza', 'Paella Congelada', 'Patatas Prefritas', 'Gambas Congeladas', 'Empanadillas', 'Verduras para Wok', 'Calamares a la romana', 'Nuggets de pollo', 'Lasaña congelada', 'Espinacas congeladas', 'Polo de hielo', 'Tarta helada'], variants: ['', 'Familiar', 'Cuatro Quesos', 'Barbacoa', 'Tarrina', 'Bolsa'] },
      household: { types: ['Detergente Líquido', 'Suavizante', 'Lavavajillas a Mano', 'Pastillas Lavavajillas', 'Lejía', 'Limpiador Multiusos', 'Papel Higiénico', 'Rollos de Cocina', 'Bolsas de Basura', 'Sartén Antiadherente', 'Juego de Ollas', 'Vasos de Cristal', 'Platos Llanos', 'Cubiertos', 'Fregona', 'Estropajo', 'Guantes de limpieza', 'Ambientador', 'Servilletas de papel', 'Film transparente', 'Papel de aluminio', 'Cazuela', 'Olla a presión', 'Cuchillo de cocina', 'Tabla de cortar', 'Taza de café', 'Jarra de agua', 'Escoba', 'Cubo'], variants: ['', 'Aroma Lavanda', 'Doble Capa', 'Con Asas', '24 cm', 'Pack de 6', 'Limón'] },
      care: { types: ['Champú', 'Acondicionador', 'Gel de Ducha', 'Desodorante', 'Pasta de Dientes', 'Cepillo de Dientes', 'Crema Hidratante', 'Protector Solar', 'Maquinillas de Afeitar', 'Compresas', 'Ibuprofeno', 'Paracetamol', 'Tiritas', 'Pintalabios', 'Rímel', 'Jabón de manos', 'Colonia', 'Perfume', 'Maquillaje', 'Esmalte de uñas', 'Espuma de afeitar', 'Enjuague bucal', 'Vitaminas', 'Jarabe para la tos', 'Termómetro', 'Mascarillas'], variants: ['', 'Piel Sensible', 'Anticaspa', 'Para Hombre', 'SPF 50', 'Blanqueadora', '400 mg'] },
      pet: { types: ['Pienso para Perros', 'Comida para Gatos', 'Arena para Gatos', 'Snacks para Perros', 'Correa para Perro', 'Juguete para Gato', 'Comida para Peces', 'Cama para Perro', 'Comida húmeda para gatos', 'Rascador para gatos', 'Collar antiparasitario', 'Transportín'], variants: ['', 'Adulto', 'Cachorro', 'Esterilizado', 'Con Pollo', 'Aglomerante'] },
      baby: { types: ['Pañales', 'Toallitas para Bebé', 'Biberón', 'Chupete', 'Crema del Pañal', 'Champú para Bebé', 'Cochecito de Bebé', 'Silla de Coche', 'Babero', 'Leche de fórmula biberón', 'Cuna', 'Bañera de bebé', 'Mordedor', 'Colonia para bebé'], variants: ['', 'Talla 3', 'Talla 4', 'Recién Nacido', '0-6 Meses', 'Sensitive'] },
      general: { types: ['Camiseta de Algodón', 'Pantalón Vaquero', 'Zapatillas Deportivas', 'Bolso de Mano', 'Reloj de Pulsera', 'Pendientes de Plata', 'Funda para Móvil', 'Teléfono Móvil', 'Portátil', 'Auriculares Inalámbricos', 'Libro de Bolsillo', 'Juguete de Construcción', 'Silla de Oficina', 'Lámpara de Mesa', 'Taladro Percutor', 'Maleta de Cabina', 'Balón de Fútbol', 'Neumático', 'Cuaderno', 'Globos de Fiesta', 'Vestido', 'Chaqueta', 'Abrigo', 'Falda', 'Botas', 'Sandalias', 'Gorra', 'Cartera', 'Collar', 'Anillo', 'Pulsera', 'Tableta', 'Cargador', 'Cable USB', 'Ratón inalámbrico', 'Teclado', 'Monitor', 'Cómic', 'Muñeca', 'Peluche', 'Sofá', 'Colchón', 'Martillo', 'Llave inglesa', 'Aceite de motor', 'Bicicleta', 'Raqueta de tenis', 'Esterilla de yoga', 'Bolígrafo', 'Guitarra'], variants: ['', 'Negro', 'Azul', 'Talla M', 'Talla 42', 'Para Mujer', 'Para Hombre', 'Infantil'] },
    },
  },
  {
    language: 'de',
    perClass: 140,
    metric: { g: 'g', ml: 'ml', spaced: true },
    units: { food: ['500 g', '1 kg', '250 g', '1 l', '1,5 l', '0,5 l', '6 x 1,5 l', 'Beutel 200 g', 'Dose 400 g', 'Flasche 0,7 l', '10 Stück', ''], goods: ['1 Stück', '2 Stück', '3er Pack', '6er Set', 'Einheitsgröße', ''] , counts: ['3er Pack', '10 Stück', '2 Stück', '6er Pack', '4 x', 'Packung 12 Stück', '2er Set'] },
    brands: { beverages: ['Gerolsteiner', 'Krombacher', 'Tchibo', 'Jacobs', 'Teekanne', 'Hohes C'], snacks: ['Bahlsen', 'Funny-frisch', 'Leibniz', 'Katjes', 'Storck'], pantry: ['Mondamin', 'Kathreiner', 'Birkel', 'Thomy', 'Develey', 'Ja!'], canned: ['Hengstenberg', 'Sonnen Bassermann', 'Erasco', 'Saupiquet'], dairy: ['Weihenstephan', 'Ehrmann', 'Landliebe', 'Bärenmarke', 'Zott'], frozen: ['Frosta', 'Wagner', 'Langnese', 'Iglo'], household: ['Frosch', 'Somat', 'Pril', 'Sagrotan', 'Zewa'], care: ['Balea', 'Sebamed', 'Elmex', 'Ratiopharm'] },
    classes: {
      beverages: { types: ['Mineralwasser', 'Sprudelwasser', 'Apfelschorle', 'Orangensaft', 'Apfelsaft', 'Kaffeebohnen', 'Gemahlener Kaffee', 'Schwarzer Tee', 'Kräutertee', 'Pils', 'Weißbier', 'Rotwein', 'Weißwein', 'Sekt', 'Eistee', 'Cola', 'Limonade', 'Orangenlimonade', 'Radler', 'Glühwein', 'Korn', 'Kaffeepads', 'Kaffeekapseln', 'Früchtetee', 'Kakao', 'Multivitaminnektar', 'Energydrink'], variants: ['', 'Still', 'Medium', 'Naturtrüb', 'Direktsaft', 'Entkoffeiniert', 'Trocken', 'Halbtrocken'] },
      snacks: { types: ['Kartoffelchips', 'Salzstangen', 'Butterkekse', 'Vollmilchschokolade', 'Zartbitterschokolade', 'Gummibärchen', 'Lakritz', 'Erdnüsse Geröstet', 'Studentenfutter', 'Müsliriegel', 'Lebkuchen', 'Waffeln', 'Schokoriegel', 'Pralinen', 'Marzipan', 'Lakritzschnecken', 'Kekse', 'Zwieback', 'Cashewkerne', 'Walnüsse', 'Rosinen', 'Popcorn', 'Tortilla Chips'], variants: ['', 'Gesalzen', 'Mit Haselnüssen', 'Klassisch', 'Vegan', 'Glutenfrei'] },
      breakfast: { types: ['Haferflocken', 'Knuspermüsli', 'Cornflakes', 'Früchtemüsli', 'Porridge', 'Pfannkuchen Backmischung', 'Schokomüsli', 'Granola', 'Frühstücksflocken'], variants: ['', 'Zart', 'Kernig', 'Ohne Zuckerzusatz', 'Schoko', 'Vollkorn'] },
      pantry: { types: ['Weizenmehl Type 405', 'Zucker', 'Speisesalz', 'Sonnenblumenöl', 'Olivenöl', 'Essig', 'Spätzle', 'Nudeln', 'Reis', 'Senf', 'Ketchup', 'Honig', 'Gewürzmischung', 'Paprikapulver', 'Backpulver', 'Marmelade', 'Dinkelmehl', 'Roggenmehl', 'Puderzucker', 'Rohrzucker', 'Salz', 'Pfeffer', 'Curry Gewürz', 'Brühe', 'Tomatensoße', 'Balsamico', 'Rapsöl', 'Erdnussbutter', 'Nuss-Nougat-Creme', 'Linsen', 'Couscous', 'Hefe'], variants: ['', 'Bio', 'Mittelscharf', 'Edelsüß', 'Naturrein', 'Vollkorn', 'Fein'] },
      canned: { types: ['Sauerkraut', 'Gewürzgurken', 'Rotkohl', 'Erbsensuppe', 'Linseneintopf', 'Thunfisch in Öl', 'Dosentomaten', 'Kidneybohnen', 'Mais in der Dose', 'Instantnudeln', 'Babybrei im Glas', 'Säuglingsmilchnahrung', 'Ravioli in Tomatensoße', 'Gulaschsuppe', 'Eintopf', 'Kichererbsen', 'Pfirsiche Dose', 'Ananas Dose', 'Fertigsuppe', 'Heringsfilets in Tomatensoße', 'Rote Bete im Glas'], variants: ['', 'Im Glas', 'Dose', 'Klassisch', 'Mild', 'Ab dem 6. Monat'] },
      dairy: { types: ['Vollmilch', 'Fettarme Milch', 'Joghurt Natur', 'Quark', 'Schmand', 'Sahne', 'Butter', 'Gouda Scheiben', 'Emmentaler', 'Frischkäse', 'Freilandeier', 'Eier aus Bodenhaltung', 'Pudding', 'Haferdrink', 'Buttermilch', 'Kefir', 'Schmelzkäse', 'Camembert', 'Mozzarella', 'Schlagsahne', 'Crème fraîche', 'Milchreis', 'Skyr', 'Sojadrink'], variants: ['', '3,5% Fett', '1,5% Fett', 'Laktosefrei', 'Mager', 'Mittelalt', '10 Stück'] },
      fresh: { types: ['Hähnchenbrustfilet', 'Rinderhackfleisch', 'Schweineschnitzel', 'Bratwurst', 'Leberwurst', 'Schinken', 'Lachsfilet', 'Kartoffeln', 'Äpfel', 'Bananen', 'Tomaten', 'Gurke', 'Möhren', 'Vollkornbrot', 'Brötchen', 'Brezel', 'Tofu', 'Hähnchenschenkel', 'Putenbrust', 'Schweinebauch', 'Rindersteak', 'Salami', 'Fleischwurst', 'Forelle', 'Garnelen', 'Zwiebeln', 'Paprika rot', 'Zucchini', 'Blumenkohl', 'Salat', 'Erdbeeren', 'Trauben', 'Zitronen', 'Toastbrot', 'Laugenbrezel', 'Croissant'], variants: ['', 'Frisch', 'Bio', 'Aus der Region', 'Festkochend', 'Geschnitten', 'Je kg'] },
      frozen: { types: ['Tiefkühlpizza', 'Fischstäbchen', 'Rahmspinat', 'Pommes Frites', 'Erbsen Tiefgefroren', 'Vanilleeis', 'Kroketten', 'Gemüsepfanne', 'Backfisch', 'Schwarzwälder Kirschtorte Tiefgekühlt', 'Tiefkühl Gemüse', 'Tiefkühl Beeren', 'Eis am Stiel', 'Schlemmerfilet', 'Fertiggericht tiefgekühlt', 'Blätterteig tiefgekühlt'], variants: ['', 'Hawaii', 'Margherita', 'Familienpackung', 'Ofenfrisch', 'Knusprig'] },
      household: { types: ['Waschmittel', 'Flüssigwaschmittel', 'Weichspüler', 'Spülmittel', 'Spülmaschinentabs', 'Allzweckreiniger', 'Toilettenpapier', 'Küchenrolle', 'Müllbeutel', 'Bratpfanne', 'Kochtopf Set', 'Weingläser', 'Kaffeetasse', 'Besteckset', 'Wischmopp', 'Geschirrspülmittel', 'Entkalker', 'Glasreiniger', 'Spülschwamm', 'Frischhaltefolie', 'Alufolie', 'Gefrierbeutel', 'Taschentücher', 'Servietten', 'Pfannenset', 'Schneidebrett', 'Küchenmesser', 'Teller', 'Tassen', 'Gläser', 'Besen', 'Eimer', 'Kerzen'], variants: ['', 'Color', 'Vollwaschmittel', '3-lagig', '60 Liter', 'Edelstahl', 'Antihaft', '6er Set'] },
      care: { types: ['Shampoo', 'Spülung', 'Duschgel', 'Deo Spray', 'Zahnpasta', 'Zahnbürste', 'Gesichtscreme', 'Sonnencreme', 'Rasierklingen', 'Binden', 'Kopfschmerztabletten', 'Pflaster', 'Handcreme', 'Lippenpflege', 'Nasenspray', 'Seife', 'Flüssigseife', 'Bodylotion', 'Gesichtswasser', 'Make-up', 'Nagellack', 'Rasierschaum', 'Mundspülung', 'Vitamintabletten', 'Hustensaft', 'Fieberthermometer', 'Tampons', 'Kondome'], variants: ['', 'Für Empfindliche Haut', 'Gegen Schuppen', 'LSF 30', 'Men', 'Mittel', 'Sensitiv'] },
      pet: { types: ['Hundefutter', 'Katzenfutter', 'Katzenstreu', 'Hundeleckerli', 'Hundeleine', 'Katzenspielzeug', 'Vogelfutter', 'Fischfutter', 'Kratzbaum', 'Katzensnacks', 'Hundebett', 'Kratzbrett', 'Hundeshampoo', 'Nagerfutter'], variants: ['', 'Nassfutter', 'Trockenfutter', 'Mit Huhn', 'Junior', 'Senior', 'Klumpend'] },
      baby: { types: ['Windeln', 'Feuchttücher', 'Babyflasche', 'Schnuller', 'Wundschutzcreme', 'Babyshampoo', 'Kinderwagen', 'Autositz', 'Lätzchen', 'Babyphone', 'Babynahrung Löffel', 'Babybett', 'Babybadewanne', 'Beißring', 'Wickelunterlage', 'Babyöl'], variants: ['', 'Größe 4', 'Größe 5', 'Neugeborene', 'Sensitiv', '0-6 Monate'] },
      general: { types: ['Herren T-Shirt', 'Damen Jeans', 'Laufschuhe', 'Handtasche', 'Armbanduhr', 'Silberkette', 'Handyhülle', 'Smartphone', 'Notebook', 'Kopfhörer', 'Taschenbuch', 'Bausteine', 'Bürostuhl', 'Stehlampe', 'Akkuschrauber', 'Reisekoffer', 'Fußball', 'Winterreifen', 'Notizbuch', 'Luftballons', 'Bettwäsche', 'Gartenschlauch', 'Kleid', 'Hemd', 'Jacke', 'Pullover', 'Rock', 'Stiefel', 'Sandalen', 'Mütze', 'Schal', 'Geldbörse', 'Ohrringe', 'Ring', 'Armband', 'Tablet', 'Ladegerät', 'USB Kabel', 'Maus', 'Tastatur', 'Monitor', 'Roman', 'Kinderbuch', 'Puppe', 'Plüschtier', 'Sofa', 'Matratze', 'Hammer', 'Schraubenschlüssel', 'Motoröl', 'Scheibenwischer', 'Fahrrad', 'Hanteln', 'Zelt', 'Kugelschreiber', 'Gitarre'], variants: ['', 'Schwarz', 'Blau', 'Größe L', 'Größe 42', 'Für Herren', 'Für Damen', 'Kinder'] },
    },
  },
  {
    language: 'fr',
    perClass: 140,
    metric: { g: 'g', ml: 'ml', spaced: true },
    units: { food: ['500 g', '1 kg', '250 g', '1 L', '1,5 L', '75 cl', '33 cl', 'lot de 6', 'sachet 200 g', 'boîte 400 g', 'x 12', ''], goods: ['1 pièce', 'lot de 2', 'lot de 3', 'set de 6', 'taille unique', ''] , counts: ['lot de 2', 'lot de 4', 'x 6', '10 pièces', 'boîte de 12', 'paquet de 3', 'par 2'] },
    brands: { beverages: ['Evian', 'Badoit', 'Kronenbourg', 'Carte Noire', 'Orangina'], snacks: ['LU', 'Côte d\'Or', 'Poulain', 'Bonne Maman', 'Lay\'s'], pantry: ['Panzani', 'Lustucru', 'Francine', 'Amora', 'Puget', 'Taureau Ailé'], canned: ['Cassegrain', 'D\'aucy', 'Saupiquet', 'William Saurin'], dairy: ['Lactel', 'Yoplait', 'Elle & Vire', 'Paysan Breton', 'Bridélice'], frozen: ['Picard', 'Marie', 'Carte d\'Or'], household: ['Mir', 'Saint Marc', 'Le Chat', 'Paic'], care: ['Mixa', 'Elseve', 'Sanex', 'Avène'] },
    classes: {
      beverages: { types: ['Eau Minérale', 'Eau Gazeuse', 'Jus d\'Orange', 'Jus de Pomme', 'Café Moulu', 'Café en Grains', 'Thé Vert', 'Infusion', 'Bière Blonde', 'Vin Rouge', 'Vin Blanc', 'Champagne Brut', 'Sirop de Grenadine', 'Limonade', 'Soda au cola', 'Jus multifruits', 'Nectar d\'abricot', 'Sirop de menthe', 'Eau pétillante', 'Vin rosé', 'Pastis', 'Dosettes de café', 'Capsules de café', 'Thé glacé', 'Chocolat en poudre'], variants: ['', 'Pur Jus', 'Sans Sucre', 'Bio', 'Décaféiné', 'Grand Cru', 'Pétillante'] },
      snacks: { types: ['Chips', 'Biscuits', 'Chocolat au Lait', 'Chocolat Noir', 'Bonbons', 'Madeleines', 'Cacahuètes Grillées', 'Barre Chocolatée', 'Gaufrettes', 'Pâte à Tartiner', 'Macarons', 'Crackers Apéritif', 'Pain d\'épices', 'Crêpes dentelle', 'Cookies', 'Barre de céréales', 'Nougat', 'Guimauves', 'Réglisse', 'Noix de cajou', 'Pistaches', 'Raisins secs', 'Pop-corn', 'Tuiles salées'], variants: ['', 'Nature', 'Saveur Barbecue', 'Aux Noisettes', '70% Cacao', 'Pur Beurre', 'Sans Gluten'] },
      breakfast: { types: ['Céréales du Petit Déjeuner', 'Flocons d\'Avoine', 'Muesli Croustillant', 'Pétales de Maïs', 'Préparation pour Crêpes', 'Biscottes', 'Muesli aux fruits', 'Granola', 'Céréales complètes'], variants: ['', 'Complet', 'Au Miel', 'Chocolat', 'Sans Sucres Ajoutés'] },
      pantry: { types: ['Farine de Blé', 'Sucre en Poudre', 'Sel de Guérande', 'Huile d\'Olive Vierge Extra', 'Huile de Tournesol', 'Vinaigre de Vin', 'Moutarde de Dijon', 'Pâtes', 'Riz Basmati', 'Lentilles Vertes', 'Confiture de Fraises', 'Miel de Lavande', 'Herbes de Provence', 'Poivre Noir Moulu', 'Levure Chimique', 'Sauce Tomate', 'Farine de blé T55', 'Sucre glace', 'Sel fin', 'Poivre', 'Cumin', 'Curry', 'Bouillon cube', 'Sauce bolognaise', 'Vinaigre de cidre', 'Huile d\'arachide', 'Pâte à tartiner', 'Semoule de couscous', 'Pois chiches secs', 'Levure boulangère'], variants: ['', 'Bio', 'Fine', 'Extra', 'À l\'Ancienne', 'Du Puy', 'Nature'] },
      canned: { types: ['Thon au Naturel', 'Sardines à l\'Huile', 'Petits Pois Carottes', 'Haricots Verts', 'Cassoulet', 'Ratatouille', 'Soupe de Légumes', 'Raviolis en Conserve', 'Cornichons', 'Maïs Doux', 'Lait Infantile', 'Petits Pots Bébé', 'Choucroute garnie', 'Confit de canard', 'Pâté de campagne', 'Pêches au sirop', 'Ananas en tranches', 'Velouté de potiron', 'Lentilles cuisinées', 'Maquereaux à la moutarde'], variants: ['', 'Boîte', 'Bocal', 'Extra Fins', 'Au Canard', '2ème Âge'] },
      dairy: { types: ['Lait Demi-Écrémé', 'Lait Entier', 'Yaourt Nature', 'Fromage Blanc', 'Crème Fraîche', 'Beurre Doux', 'Beurre Demi-Sel', 'Camembert', 'Comté', 'Emmental Râpé', 'Chèvre Frais', 'Œufs Frais', 'Œufs de Poules Élevées en Plein Air', 'Crème Dessert', 'Fromage râpé', 'Roquefort', 'Reblochon', 'Mozzarella', 'Lait fermenté', 'Kéfir', 'Petits suisses', 'Crème liquide', 'Boisson au soja', 'Riz au lait'], variants: ['', 'Bio', 'Sans Lactose', 'Au Lait Cru', 'AOP', 'Allégé', 'Boîte de 12'] },
      fresh: { types: ['Filet de Poulet', 'Steak Haché', 'Côte de Porc', 'Jambon Blanc', 'Saucisson Sec', 'Pavé de Saumon', 'Crevettes Cuites', 'Pommes de Terre', 'Tomates Grappe', 'Pommes Golden', 'Bananes', 'Carottes', 'Salade Laitue', 'Baguette Tradition', 'Pain de Mie', 'Croissant au Beurre', 'Quiche Lorraine', 'Escalope de dinde', 'Rôti de porc', 'Entrecôte', 'Saucisses de Toulouse', 'Lardons fumés', 'Filet de merlu', 'Moules', 'Oignons', 'Courgettes', 'Poireaux', 'Champignons de Paris', 'Fraises', 'Clémentines', 'Citrons', 'Pain complet', 'Brioche', 'Croissants'], variants: ['', 'Label Rouge', 'Bio', 'Le Kilo', 'Tranché', 'Frais', 'Fermier'] },
      frozen: { types: ['Pizza Surgelée', 'Frites Surgelées', 'Épinards Hachés Surgelés', 'Glace Vanille', 'Sorbet Citron', 'Bâtonnets de Poisson', 'Poêlée de Légumes', 'Croissants Surgelés', 'Lasagnes Surgelées', 'Bûche Glacée', 'Légumes surgelés', 'Fruits rouges surgelés', 'Esquimaux', 'Cônes glacés', 'Poisson pané surgelé', 'Plat cuisiné surgelé', 'Pâte feuilletée surgelée'], variants: ['', 'Quatre Fromages', 'Familial', 'Bac', 'Cuisinés', 'Recette Originale'] },
      household: { types: ['Lessive Liquide', 'Adoucissant', 'Liquide Vaisselle', 'Tablettes Lave-Vaisselle', 'Eau de Javel', 'Nettoyant Multi-Usages', 'Papier Toilette', 'Essuie-Tout', 'Sacs Poubelle', 'Poêle Antiadhésive', 'Casserole Inox', 'Verres à Vin', 'Assiettes Plates', 'Couverts', 'Balai Serpillière', 'Éponges', 'Gants de ménage', 'Désodorisant', 'Mouchoirs', 'Serviettes en papier', 'Film alimentaire', 'Papier aluminium', 'Sacs congélation', 'Couteau de cuisine', 'Planche à découper', 'Tasses', 'Bols', 'Carafe', 'Balai', 'Seau', 'Bougies parfumées'], variants: ['', 'Fraîcheur Lavande', 'Double Épaisseur', '30 Litres', 'Lot de 6', '28 cm', 'Citron'] },
      care: { types: ['Shampooing', 'Après-Shampooing', 'Gel Douche', 'Déodorant', 'Dentifrice', 'Brosse à Dents', 'Crème Hydratante', 'Crème Solaire', 'Rasoirs Jetables', 'Serviettes Hygiéniques', 'Doliprane', 'Pansements', 'Rouge à Lèvres', 'Mascara', 'Sérum Visage', 'Savon', 'Savon liquide', 'Lait corporel', 'Eau micellaire', 'Fond de teint', 'Vernis à ongles', 'Mousse à raser', 'Bain de bouche', 'Vitamines', 'Sirop contre la toux', 'Thermomètre', 'Tampons', 'Préservatifs'], variants: ['', 'Peaux Sensibles', 'Antipelliculaire', 'Homme', 'SPF 50+', 'Souple', '1000 mg'] },
      pet: { types: ['Croquettes pour Chien', 'Pâtée pour Chat', 'Litière pour Chat', 'Friandises pour Chien', 'Laisse pour Chien', 'Jouet pour Chat', 'Graines pour Oiseaux', 'Nourriture pour Poissons', 'Friandises pour chat', 'Arbre à chat', 'Panier pour chien', 'Shampooing pour chien', 'Foin pour lapin'], variants: ['', 'Adulte', 'Chaton', 'Stérilisé', 'Au Poulet', 'Agglomérante'] },
      baby: { types: ['Couches', 'Lingettes Bébé', 'Biberon', 'Tétine', 'Crème pour le Change', 'Shampooing Bébé', 'Poussette', 'Siège Auto', 'Bavoir', 'Gigoteuse', 'Lit bébé', 'Baignoire bébé', 'Anneau de dentition', 'Matelas à langer', 'Liniment oléo-calcaire', 'Porte-bébé'], variants: ['', 'Taille 3', 'Taille 4', 'Nouveau-Né', '0-6 Mois', 'Peaux Sensibles'] },
      general: { types: ['T-Shirt Homme', 'Jean Femme', 'Baskets', 'Sac à Main', 'Montre', 'Collier en Argent', 'Coque de Téléphone', 'Téléphone Portable', 'Ordinateur Portable', 'Casque Audio', 'Roman de Poche', 'Jeu de Construction', 'Chaise de Bureau', 'Lampe de Chevet', 'Perceuse Visseuse', 'Valise Cabine', 'Ballon de Football', 'Pneu', 'Cahier', 'Ballons de Fête', 'Housse de Couette', 'Robe', 'Chemise', 'Veste', 'Pull', 'Jupe', 'Bottes', 'Sandales', 'Bonnet', 'Écharpe', 'Portefeuille', 'Boucles d\'oreilles', 'Bague', 'Bracelet', 'Tablette', 'Chargeur', 'Câble USB', 'Souris', 'Clavier', 'Écran PC', 'Roman', 'Bande dessinée', 'Poupée', 'Peluche', 'Canapé', 'Matelas', 'Marteau', 'Clé à molette', 'Huile moteur', 'Essuie-glaces', 'Vélo', 'Haltères', 'Tente', 'Stylo', 'Guitare'], variants: ['', 'Noir', 'Bleu', 'Taille M', 'Pointure 42', 'Pour Femme', 'Pour Homme', 'Enfant'] },
    },
  },
  {
    language: 'hi',
    perClass: 150,
    metric: { g: 'ग्राम', ml: 'मिली', spaced: true },
    units: { food: ['500 ग्राम', '1 किलो', '250 ग्राम', '5 किलो', '1 लीटर', '500 मिली', '200 gram', '1 kilo', '1 litre', 'पैक', ''], goods: ['1 पीस', '2 पीस', 'सेट', 'पैक ऑफ 3', '1 piece', ''] , counts: ['पैक ऑफ 3', '2 पीस', '6 पीस', '10 pc', '4 pcs', 'pack of 2', '12 नग'] },
    brands: { beverages: ['ताज महल', 'टाटा टी', 'वाघ बकरी', 'ब्रू', 'रूह अफ़ज़ा'], snacks: ['हल्दीराम', 'बीकाजी', 'पारले', 'ब्रिटानिया'], pantry: ['आशीर्वाद', 'फॉर्च्यून', 'एमडीएच', 'एवरेस्ट', 'इंडिया गेट', 'टाटा संपन्न'], canned: ['एमटीआर', 'मैगी', 'गिट्स'], dairy: ['अमूल', 'मदर डेयरी', 'पतंजलि', 'नंदिनी'], fresh: ['ताज़ा'], household: ['विम', 'सर्फ एक्सेल', 'हार्पिक', 'प्रेस्टीज'], care: ['डाबर', 'हिमालया', 'पतंजलि', 'बैद्यनाथ'] },
    classes: {
      beverages: { types: ['चाय पत्ती', 'मसाला चाय', 'ग्रीन टी', 'कॉफी पाउडर', 'फ़िल्टर कॉफी', 'आम का जूस', 'नारियल पानी', 'शरबत', 'लस्सी पेय', 'सोडा', 'मिनरल वाटर', 'chai patti', 'nimbu sharbat', 'कॉफ़ी', 'चाय', 'हर्बल चाय', 'जूस', 'कोल्ड ड्रिंक', 'बादाम दूध पेय', 'ठंडाई', 'jaljeera', 'sharbat', 'coffee powder'], variants: ['', 'प्रीमियम', 'इलायची', 'अदरक', 'गोल्ड', 'strong', 'kadak'] },
      snacks: { types: ['आलू भुजिया', 'नमकीन', 'बिस्कुट', 'चॉकलेट', 'सोन पापड़ी', 'काजू कतली', 'मठरी', 'मखाना', 'बादाम', 'काजू', 'किशमिश', 'चिक्की', 'लड्डू', 'namkeen mixture', 'aloo bhujia', 'soan papdi', 'मिक्सचर', 'चकली', 'समोसा नमकीन', 'खाखरा', 'रस्क', 'कुकीज़', 'मिठाई', 'रसगुल्ला', 'गुलाब जामुन', 'पेठा', 'गजक', 'पिस्ता', 'अखरोट', 'खजूर', 'मूंगफली', 'chakli', 'mathri', 'rusk'], variants: ['', 'मसालेदार', 'मीठा', 'नमकीन', 'भुना हुआ', 'क्लासिक', 'tikha'] },
      breakfast: { types: ['ओट्स', 'मसाला ओट्स', 'कॉर्नफ्लेक्स', 'पोहा', 'उपमा मिक्स', 'दलिया', 'muesli', 'daliya', 'कॉर्न फ्लेक्स', 'मूसली', 'इडली मिक्स', 'poha', 'upma mix'], variants: ['', 'मसाला', 'शहद', 'बिना चीनी', 'instant'] },
      pantry: { types: ['गेहूं का आटा', 'आटा', 'बेसन', 'मैदा', 'सूजी', 'बासमती चावल', 'चावल', 'तूर दाल', 'अरहर दाल', 'मूंग दाल', 'चना दाल', 'उड़द दाल', 'मसूर दाल', 'राजमा', 'काबुली चना', 'हल्दी पाउडर', 'लाल मिर्च पाउडर', 'धनिया पाउडर', 'जीरा', 'राई', 'गरम मसाला', 'चाट मसाला', 'सरसों का तेल', 'गुड़', 'चीनी', 'नमक', 'हींग', 'इलायची', 'लौंग', 'gehun atta', 'haldi powder', 'lal mirch', 'jeera', 'sarson tel', 'रागी आटा', 'बाजरा आटा', 'ब्राउन राइस', 'पोहा', 'साबूदाना', 'चना', 'सौंफ', 'अजवाइन', 'मेथी दाना', 'काली मिर्च', 'दालचीनी', 'तेज पत्ता', 'केसर', 'सांभर मसाला', 'रिफाइंड तेल', 'मूंगफली का तेल', 'घी', 'सिरका', 'शहद', 'sooji', 'besan', 'masoor dal', 'garam masala', 'sarson ka tel'], variants: ['', 'चक्की', 'शुद्ध', 'जैविक', 'प्रीमियम', 'साबुत', 'पिसा हुआ', 'desi', 'organic'] },
      canned: { types: ['रेडी टू ईट दाल मखनी', 'रेडी टू ईट राजमा', 'इंस्टेंट नूडल्स', 'गुलाब जामुन मिक्स', 'इडली मिक्स', 'डोसा मिक्स', 'सेवइयां', 'पापड़', 'shishu aahar', 'maggi noodles', 'रेडी टू ईट बिरयानी', 'इंस्टेंट पोहा', 'सूप पाउडर', 'नूडल्स', 'पास्ता मसाला', 'अचार', 'चटनी', 'instant noodles', 'ready to eat rajma'], variants: ['', 'मसाला', 'तीखा', 'फैमिली पैक', 'instant'] },
      dairy: { types: ['दूध', 'टोंड दूध', 'फुल क्रीम दूध', 'दही', 'पनीर', 'देसी घी', 'गाय का घी', 'मक्खन', 'छाछ', 'लस्सी', 'अंडे', 'खोया', 'श्रीखंड', 'doodh', 'dahi', 'paneer', 'desi ghee', 'ande', 'मलाई', 'क्रीम', 'चीज़', 'बटर', 'मट्ठा', 'रबड़ी', 'देसी अंडे', 'makhan', 'lassi', 'chaas'], variants: ['', 'ताज़ा', 'शुद्ध', 'मलाई', 'लो फैट', 'taaza', 'shudh'] },
      fresh: { types: ['आलू', 'प्याज़', 'टमाटर', 'भिंडी', 'लौकी', 'करेला', 'पालक', 'धनिया पत्ती', 'हरी मिर्च', 'अदरक', 'लहसुन', 'केला', 'आम', 'सेब', 'अमरूद', 'चिकन', 'मटन', 'मछली', 'पाव', 'aloo', 'pyaz', 'tamatar', 'bhindi', 'palak', 'kela', 'seb', 'गोभी', 'पत्ता गोभी', 'गाजर', 'मूली', 'शिमला मिर्च', 'मटर', 'तोरई', 'कद्दू', 'नींबू', 'संतरा', 'पपीता', 'अनार', 'अंगूर', 'तरबूज', 'अंडा करी कट', 'मछली फ्राई कट', 'ब्रेड', 'gobhi', 'gajar', 'nimbu', 'santra', 'murga'], variants: ['', 'ताज़ा', 'देसी', 'जैविक', 'taaza', 'desi'] },
      frozen: { types: ['फ्रोज़न मटर', 'फ्रोज़न पराठा', 'आइसक्रीम', 'कुल्फी', 'फ्रोज़न समोसा', 'फ्रोज़न मोमोज़', 'फ्रोज़न आलू टिक्की', 'frozen matar', 'kulfi', 'फ्रोज़न पराठे', 'फ्रोज़न कबाब', 'आइसक्रीम कोन', 'फ्रोज़न स्वीट कॉर्न', 'ice cream', 'frozen paratha'], variants: ['', 'मलाई', 'केसर पिस्ता', 'आम', 'वेज', 'family pack'] },
      household: { types: ['कपड़े धोने का पाउडर', 'डिटर्जेंट', 'बर्तन धोने का साबुन', 'फर्श क्लीनर', 'टॉयलेट क्लीनर', 'झाड़ू', 'पोछा', 'प्रेशर कुकर', 'कढ़ाई', 'तवा', 'स्टील के बर्तन', 'थाली सेट', 'गिलास', 'चम्मच', 'अगरबत्ती', 'कपूर', 'bartan sabun', 'jhadu', 'kadhai', 'tawa', 'बर्तन', 'कुकर', 'पतीला', 'कड़छी', 'बेलन', 'चकला', 'कटोरी', 'लोटा', 'बाल्टी', 'डस्टबिन', 'माचिस', 'मोमबत्ती', 'मच्छर भगाने वाली क्रीम', 'कीटनाशक स्प्रे', 'टॉयलेट पेपर', 'pressure cooker', 'steel glass', 'balti'], variants: ['', 'नींबू', 'स्टेनलेस स्टील', 'नॉन स्टिक', '5 लीटर', 'सेट', 'steel'] },
      care: { types: ['शैम्पू', 'नारियल तेल', 'बालों का तेल', 'साबुन', 'टूथपेस्ट', 'टूथब्रश', 'फेस वॉश', 'क्रीम', 'काजल', 'मेहंदी', 'च्यवनप्राश', 'आयुर्वेदिक चूर्ण', 'अश्वगंधा', 'त्रिफला', 'बाम', 'दर्द निवारक तेल', 'बुखार की दवा', 'sabun', 'baalon ka tel', 'chyawanprash', 'ashwagandha churna', 'फेस क्रीम', 'बॉडी लोशन', 'हैंड वॉश', 'डियोड्रेंट', 'परफ्यूम', 'लिपस्टिक', 'बिंदी', 'सिंदूर', 'शेविंग क्रीम', 'रेज़र', 'सैनिटरी पैड', 'खांसी की दवा', 'सिरदर्द की गोली', 'पट्टी', 'त्रिफला चूर्ण', 'गिलोय', 'अमृतारिष्ट', 'shampoo', 'face wash'], variants: ['', 'आयुर्वेदिक', 'हर्बल', 'नीम', 'तुलसी', 'एलोवेरा', 'herbal', 'ayurvedic'] },
      pet: { types: ['कुत्ते का खाना', 'बिल्ली का खाना', 'कुत्ते का पट्टा', 'कुत्ते का बिस्कुट', 'मछली का दाना', 'पक्षियों का दाना', 'kutte ka khana', 'billi ka khana', 'पालतू जानवर का शैम्पू', 'कुत्ते का बिस्तर', 'बिल्ली का लिटर', 'तोते का दाना', 'dog food'], variants: ['', 'चिकन', 'पपी', 'एडल्ट', 'adult'] },
      baby: { types: ['बेबी डायपर', 'बेबी वाइप्स', 'दूध की बोतल', 'बेबी साबुन', 'बेबी तेल', 'बेबी पाउडर', 'बच्चों का घुमक्कड़', 'baby diaper', 'bachon ka tel', 'बेबी लोशन', 'बेबी शैम्पू', 'निप्पल', 'झूला', 'बेबी कैरियर', 'लंगोट', 'baby wipes', 'baby soap'], variants: ['', 'नवजात', 'स्मॉल', 'मीडियम', 'लार्ज', 'newborn'] },
      general: { types: ['कुर्ता', 'साड़ी', 'सलवार सूट', 'जींस', 'जूते', 'चप्पल', 'हैंडबैग', 'घड़ी', 'चांदी की पायल', 'सोने की चेन', 'चूड़ियां', 'मोबाइल फ़ोन', 'मोबाइल कवर', 'लैपटॉप', 'ईयरफ़ोन', 'किताब', 'खिलौना', 'कुर्सी', 'मेज़', 'बल्ब', 'पंखा', 'क्रिकेट बैट', 'स्कूल बैग', 'kurta', 'saree', 'chappal', 'mobile cover', 'kitab', 'khilona', 'payal', 'कमीज़', 'पैंट', 'लहंगा', 'दुपट्टा', 'जैकेट', 'स्वेटर', 'सैंडल', 'बैग', 'पर्स', 'झुमके', 'कंगन', 'हार', 'अंगूठी', 'टैबलेट', 'पावर बैंक', 'चार्जर', 'हेडफ़ोन', 'उपन्यास', 'कॉपी', 'पेन', 'गुड़िया', 'साइकिल', 'सोफ़ा', 'पलंग', 'गद्दा', 'रजाई', 'टॉर्च', 'पेचकस', 'हथौड़ा', 'टायर', 'इंजन ऑयल', 'हेलमेट', 'फुटबॉल', 'योगा मैट', 'हारमोनियम', 'ढोलक', 'joote', 'chashma', 'ghadi', 'purse'], variants: ['', 'सूती', 'रेशमी', 'पुरुषों के लिए', 'महिलाओं के लिए', 'बच्चों के लिए', 'cotton', 'reshmi'] },
    },
  },
  {
    language: 'ru',
    perClass: 150,
    metric: { g: 'г', ml: 'мл', spaced: true },
    units: { food: ['500 г', '1 кг', '250 г', '1 л', '1,5 л', '0,5 л', '900 мл', 'пачка 200 г', 'банка 400 г', 'бутылка 1 л', '10 шт', ''], goods: ['1 шт', '2 шт', 'набор', 'упаковка 3 шт', ''] , counts: ['2 шт', '6 шт', '10 шт', 'упаковка 3 шт', 'набор 4 шт', '12 шт', 'x 2'] },
    brands: { beverages: ['Простоквашино', 'Добрый', 'Балтика', 'Святой Источник', 'Greenfield', 'Жардин'], snacks: ['Алёнка', 'Бабаевский', 'Красный Октябрь', 'Lay\'s', 'Юбилейное'], breakfast: ['Геркулес', 'Ясно Солнышко'], pantry: ['Мистраль', 'Макфа', 'Увелка', 'Слобода', 'Махеевъ', 'Золотая Семечка'], canned: ['Главпродукт', 'Бондюэль', 'Доширак', 'Роллтон'], dairy: ['Простоквашино', 'Домик в деревне', 'Вкуснотеево', 'Савушкин', 'Агуша'], fresh: ['Петелинка', 'Мираторг', 'Черкизово'], frozen: ['Цезарь', 'Сибирская коллекция', 'Мираторг'], household: ['Fairy', 'Миф', 'Ушастый нянь', 'Тефаль'], care: ['Чистая линия', 'Натура Сиберика', 'Лесной бальзам'] },
    classes: {
      beverages: { types: ['Минеральная вода', 'Газированная вода', 'Апельсиновый сок', 'Яблочный сок', 'Молотый кофе', 'Кофе в зёрнах', 'Растворимый кофе', 'Чёрный чай', 'Зелёный чай', 'Квас', 'Пиво светлое', 'Вино красное', 'Водка', 'Морс клюквенный', 'Лимонад', 'Сок яблочный', 'Нектар персиковый', 'Кофе молотый', 'Чай чёрный байховый', 'Вода минеральная лечебно-столовая', 'Энергетический напиток', 'Компот', 'Морс', 'Сидр', 'Коньяк', 'Вино белое сухое', 'Шампанское', 'Какао-порошок'], variants: ['', 'Без сахара', 'Негазированная', 'Нектар', 'Листовой', 'Сухое', 'Полусладкое'] },
      snacks: { types: ['Чипсы', 'Сухарики', 'Печенье', 'Молочный шоколад', 'Горький шоколад', 'Конфеты', 'Пряники', 'Вафли', 'Семечки', 'Орехи', 'Зефир', 'Мармелад', 'Халва', 'Сушки', 'Крекер', 'Вафельный торт', 'Батончик шоколадный', 'Карамель', 'Ирис', 'Орехи грецкие', 'Арахис солёный', 'Фисташки', 'Курага', 'Изюм', 'Чернослив', 'Пастила', 'Попкорн'], variants: ['', 'Со сметаной и луком', 'С беконом', 'С фундуком', 'Классические', 'Ассорти'] },
      breakfast: { types: ['Овсяные хлопья', 'Мюсли', 'Кукурузные хлопья', 'Гречневая каша', 'Каша быстрого приготовления', 'Сухой завтрак', 'Хлопья кукурузные', 'Каша овсяная', 'Гранола', 'Подушечки с начинкой'], variants: ['', 'Геркулес', 'С мёдом', 'Без сахара', 'Шоколадные'] },
      pantry: { types: ['Мука пшеничная', 'Сахар', 'Соль', 'Подсолнечное масло', 'Оливковое масло', 'Гречка', 'Рис', 'Макароны', 'Спагетти', 'Перловка', 'Пшено', 'Майонез', 'Кетчуп', 'Горчица', 'Мёд', 'Уксус', 'Чёрный перец', 'Варенье', 'Крупа гречневая', 'Пшено шлифованное', 'Манка', 'Перловая крупа', 'Горох колотый', 'Чечевица', 'Вермишель', 'Рожки', 'Соль морская', 'Сахар тростниковый', 'Мёд цветочный', 'Варенье клубничное', 'Уксус яблочный', 'Масло оливковое', 'Специи', 'Лавровый лист', 'Крахмал картофельный', 'Дрожжи'], variants: ['', 'Высший сорт', 'Ядрица', 'Рафинированное', 'Нерафинированное', 'Провансаль', 'Йодированная'] },
      canned: { types: ['Тушёнка', 'Шпроты', 'Сайра', 'Зелёный горошек', 'Кукуруза консервированная', 'Сгущёнка', 'Маринованные огурцы', 'Солёные огурцы', 'Томатная паста', 'Лапша быстрого приготовления', 'Икра кабачковая', 'Детское пюре', 'Детская смесь', 'Консервы рыбные', 'Килька в томате', 'Горбуша натуральная', 'Кукуруза сладкая', 'Ананасы кусочками', 'Персики в сиропе', 'Огурцы маринованные', 'Томаты в собственном соку', 'Суп быстрого приготовления', 'Пюре картофельное быстрого приготовления', 'Лечо', 'Аджика'], variants: ['', 'Говяжья', 'В масле', 'ГОСТ', 'Банка', 'С 6 месяцев'] },
      dairy: { types: ['Молоко', 'Кефир', 'Ряженка', 'Творог', 'Сметана', 'Сливочное масло', 'Сыр Российский', 'Сырок глазированный', 'Йогурт', 'Сливки', 'Яйца куриные', 'Простокваша', 'Молоко ультрапастеризованное', 'Кефир 1 %', 'Йогурт питьевой', 'Творожок', 'Сыр плавленый', 'Сыр твёрдый', 'Масло сливочное 82,5 %', 'Яйца перепелиные', 'Сливки 10 %', 'Айран', 'Снежок'], variants: ['', '2,5%', '3,2%', '9%', '20%', 'Отборные', 'Без лактозы', 'Фермерский'] },
      fresh: { types: ['Куриное филе', 'Фарш говяжий', 'Свинина', 'Колбаса докторская', 'Сосиски', 'Сельдь', 'Сёмга', 'Картофель', 'Капуста', 'Морковь', 'Огурцы', 'Помидоры', 'Яблоки', 'Бананы', 'Хлеб Бородинский', 'Батон нарезной', 'Пельмени свежие', 'Говядина', 'Баранина', 'Окорочка куриные', 'Крылья куриные', 'Фарш куриный', 'Ветчина', 'Колбаса варёная', 'Сало', 'Скумбрия', 'Минтай', 'Креветки', 'Свёкла', 'Лук репчатый', 'Чеснок', 'Зелень укроп', 'Апельсины', 'Груши', 'Виноград', 'Лимоны', 'Батон', 'Булочки', 'Лаваш'], variants: ['', 'Охлаждённый', 'Весовой', 'Нарезка', 'Молодой', 'Фермерские'] },
      frozen: { types: ['Пельмени', 'Вареники с картофелем', 'Блинчики с мясом', 'Мороженое пломбир', 'Эскимо', 'Замороженные овощи', 'Замороженная пицца', 'Рыбные палочки', 'Котлеты замороженные', 'Сырники замороженные', 'Манты', 'Хинкали', 'Чебуреки замороженные', 'Блины замороженные', 'Ягоды замороженные', 'Фарш замороженный', 'Рыба мороженая', 'Эскимо шоколадное', 'Мороженое крем-брюле'], variants: ['', 'Сибирские', 'Домашние', 'Ванильное', 'В вафельном стаканчике', 'Смесь'] },
      household: { types: ['Стиральный порошок', 'Жидкое средство для стирки', 'Кондиционер для белья', 'Средство для мытья посуды', 'Таблетки для посудомоечной машины', 'Чистящее средство', 'Туалетная бумага', 'Бумажные полотенца', 'Мешки для мусора', 'Сковорода', 'Кастрюля', 'Бокалы для вина', 'Тарелки', 'Столовые приборы', 'Швабра', 'Гель для стирки', 'Отбеливатель', 'Средство для чистки унитаза', 'Средство для мытья стёкол', 'Салфетки влажные', 'Пищевая плёнка', 'Фольга', 'Пакеты для заморозки', 'Контейнеры пищевые', 'Кастрюля эмалированная', 'Чайник', 'Нож кухонный', 'Разделочная доска', 'Кружка', 'Стакан', 'Ложки', 'Вешалки', 'Веник', 'Ведро'], variants: ['', 'Автомат', 'Лимон', 'Двухслойная', 'С антипригарным покрытием', 'Набор', '60 л'] },
      care: { types: ['Шампунь', 'Бальзам для волос', 'Гель для душа', 'Дезодорант', 'Зубная паста', 'Зубная щётка', 'Крем для лица', 'Солнцезащитный крем', 'Бритвенные станки', 'Прокладки', 'Обезболивающее', 'Пластырь', 'Губная помада', 'Тушь для ресниц', 'Витамины', 'Мыло туалетное', 'Жидкое мыло', 'Гель для умывания', 'Тоник', 'Крем для тела', 'Бальзам для губ', 'Тональный крем', 'Лак для ногтей', 'Станок для бритья', 'Пена для бритья', 'Таблетки от головной боли', 'Капли в нос', 'Бинт', 'Градусник', 'Маски медицинские', 'Прокладки ежедневные'], variants: ['', 'Для чувствительной кожи', 'Против перхоти', 'Мужской', 'SPF 50', 'Отбеливающая'] },
      pet: { types: ['Корм для собак', 'Корм для кошек', 'Наполнитель для кошачьего туалета', 'Лакомство для собак', 'Поводок', 'Игрушка для кошек', 'Корм для рыбок', 'Корм для попугаев', 'Влажный корм для собак', 'Консервы для кошек', 'Когтеточка', 'Лежак для собак', 'Шампунь для собак', 'Корм для хомяков'], variants: ['', 'Сухой', 'Влажный', 'Для котят', 'С курицей', 'Комкующийся'] },
      baby: { types: ['Подгузники', 'Детские влажные салфетки', 'Бутылочка для кормления', 'Соска-пустышка', 'Детский крем', 'Детский шампунь', 'Детская коляска', 'Автокресло', 'Слюнявчик', 'Пелёнки', 'Трусики-подгузники', 'Детское масло', 'Детская присыпка', 'Прорезыватель', 'Кроватка детская', 'Детская ванночка'], variants: ['', 'Размер 3', 'Размер 4', 'Для новорождённых', '0-6 месяцев'] },
      general: { types: ['Футболка мужская', 'Джинсы женские', 'Кроссовки', 'Сумка', 'Наручные часы', 'Серебряная цепочка', 'Чехол для телефона', 'Смартфон', 'Ноутбук', 'Наушники беспроводные', 'Книга', 'Конструктор', 'Офисное кресло', 'Настольная лампа', 'Дрель', 'Чемодан', 'Футбольный мяч', 'Шины зимние', 'Тетрадь', 'Воздушные шары', 'Постельное бельё', 'Платье', 'Рубашка', 'Брюки', 'Пуховик', 'Свитер', 'Туфли', 'Ботинки', 'Тапочки', 'Шапка', 'Шарф', 'Кошелёк', 'Серьги', 'Кольцо', 'Браслет', 'Планшет', 'Зарядное устройство', 'Кабель USB', 'Монитор', 'Клавиатура', 'Мышь компьютерная', 'Роман', 'Детская книга', 'Игрушка мягкая', 'Кукла', 'Диван', 'Люстра', 'Гаечный ключ', 'Молоток', 'Моторное масло', 'Щётки стеклоочистителя', 'Велосипед', 'Гантели', 'Палатка', 'Ручка шариковая', 'Гитара'], variants: ['', 'Чёрный', 'Синий', 'Размер M', 'Размер 42', 'Для мужчин', 'Для женщин', 'Детский'] },
    },
  },
  {
    language: 'zh',
    perClass: 200,
    metric: { g: '克', ml: '毫升', spaced: false },
    units: { food: ['500克', '1千克', '250克', '5斤', '1升', '500毫升', '12瓶', '24盒', '10袋', '罐装', '袋装', '家庭装', ''], goods: ['1件', '2件装', '3只装', '套装', '1个', ''] , counts: ['2个', '6个装', '10只', '3包', '12件', '4盒', '5袋装', '一箱', '2件装'] },
    brands: { beverages: ['农夫山泉', '康师傅', '统一', '怡宝', '雀巢', '青岛', '雪花', '茅台'], snacks: ['良品铺子', '三只松鼠', '旺旺', '好丽友', '徐福记', '卫龙'], breakfast: ['桂格', '西麦'], pantry: ['金龙鱼', '鲁花', '海天', '李锦记', '福临门', '太太乐'], canned: ['康师傅', '统一', '梅林', '乌江', '白象'], dairy: ['伊利', '蒙牛', '光明', '君乐宝', '安佳'], fresh: ['双汇', '圣农', '盒马'], frozen: ['思念', '三全', '湾仔码头', '安井', '钟薛高'], household: ['蓝月亮', '立白', '维达', '清风', '苏泊尔'], care: ['云南白药', '百雀羚', '自然堂', '海飞丝', '护舒宝'], pet: ['比瑞吉', '麦富迪'], baby: ['帮宝适', '好奇', '花王'] },
    classes: {
      beverages: { types: ['矿泉水', '苏打水', '橙汁', '苹果汁', '绿茶', '乌龙茶', '普洱茶', '茉莉花茶', '速溶咖啡', '咖啡豆', '啤酒', '白酒', '红酒', '可乐', '豆奶饮料', '红茶', '花茶', '奶茶', '果汁', '椰汁', '凉茶', '气泡水', '功能饮料', '黄酒', '葡萄酒', '挂耳咖啡', '咖啡粉', '酸梅汤', '运动饮料', '柠檬茶', '冰红茶', '蜂蜜柚子茶', '椰子水', '米酒', '威士忌', '梅子酒', '苏打饮料'], variants: ['', '无糖', '原味', '低糖', '特级', '罐装', '瓶装'] },
      snacks: { types: ['薯片', '饼干', '巧克力', '糖果', '瓜子', '花生', '坚果', '牛肉干', '辣条', '海苔', '月饼', '蛋卷', '果冻', '曲奇', '威化饼干', '蛋糕', '面包干', '肉脯', '鸭脖', '话梅', '果脯', '开心果', '核桃', '腰果', '杏仁', '糖葫芦', '蛋黄酥', '锅巴', '虾条', '山楂片', '麻花', '沙琪玛', '凤梨酥', '豆干', '巧克力豆', '棒棒糖', '口香糖', '爆米花'], variants: ['', '原味', '香辣', '烧烤味', '五香', '礼盒装', '独立包装'] },
      breakfast: { types: ['燕麦片', '麦片', '玉米片', '即食燕麦', '谷物早餐', '黑芝麻糊', '燕麦', '即食麦片', '早餐谷物', '藕粉', '核桃粉'], variants: ['', '无糖', '即食', '坚果', '原味'] },
      pantry: { types: ['大米', '东北大米', '面粉', '挂面', '酱油', '生抽', '老抽', '香醋', '陈醋', '花生油', '菜籽油', '芝麻油', '白糖', '盐', '花椒', '八角', '豆瓣酱', '老干妈辣酱', '味精', '糯米', '小米', '绿豆', '红豆', '黄豆', '面条', '粉丝', '淀粉', '料酒', '鸡精', '冰糖', '红糖', '胡椒粉', '辣椒面', '芝麻酱', '火锅底料', '香油', '玉米油', '调和油', '孜然粉', '五香粉', '黄豆酱', '甜面酱', '番茄酱', '橄榄油', '大豆油', '糯米粉', '蚝油'], variants: ['', '特级', '有机', '五常', '非转基因', '古法', '家庭装'] },
      canned: { types: ['蚝油', '方便面', '泡面', '午餐肉', '豆豉鲮鱼', '黄桃罐头', '榨菜', '腐乳', '八宝粥', '速食米饭', '自热火锅', '螺蛳粉', '婴儿配方奶粉', '罐头', '鱼罐头', '水果罐头', '速食面', '拌面', '米粉', '酸辣粉', '方便粥', '咸菜', '泡菜', '速食汤', '豆腐乳', '辣椒酱', '金枪鱼罐头', '玉米罐头', '红烧肉罐头', '即食粥', '速食粉丝', '干拌面', '杂粮粥'], variants: ['', '红烧牛肉', '麻辣', '酸辣', '罐装', '桶装', '1段'] },
      dairy: { types: ['纯牛奶', '酸奶', '鲜牛奶', '奶酪', '黄油', '鸡蛋', '土鸡蛋', '奶粉', '豆浆', '乳酸菌饮品', '牛奶', '低脂牛奶', '儿童牛奶', '酸牛奶', '奶油', '芝士片', '鸭蛋', '鹌鹑蛋', '奶片', '希腊酸奶', '燕麦奶', '奶酪棒', '淡奶油', '马苏里拉奶酪', '常温酸奶', '巴氏杀菌乳', '咸鸭蛋', '皮蛋', '炼乳'], variants: ['', '全脂', '脱脂', '低脂', '原味', '草莓味', '30枚'] },
      fresh: { types: ['猪肉', '五花肉', '牛肉', '鸡胸肉', '鸡翅', '鲈鱼', '虾', '豆腐', '白菜', '青菜', '西红柿', '黄瓜', '土豆', '苹果', '香蕉', '葡萄', '馒头', '包子', '排骨', '猪蹄', '羊肉卷', '牛腩', '鸡腿肉', '三文鱼', '带鱼', '大虾', '鲜鸡蛋面', '生菜', '菠菜', '芹菜', '胡萝卜', '洋葱', '大蒜', '生姜', '香菇', '橙子', '梨', '西瓜', '草莓', '芒果', '猕猴桃', '面包', '吐司', '鸡腿', '猪里脊', '羊排', '鲫鱼', '扇贝', '茄子', '豆芽', '西兰花', '金针菇', '荔枝', '桃子', '油条', '烧饼'], variants: ['', '新鲜', '冷鲜', '散装', '有机', '每斤'] },
      frozen: { types: ['速冻水饺', '汤圆', '馄饨', '冰淇淋', '雪糕', '速冻包子', '鱼丸', '虾饺', '冷冻薯条', '速冻玉米', '速冻饺子', '冷冻虾仁', '冷冻鸡翅', '冷冻牛排', '冰棍', '冷冻蔬菜', '速冻面点', '冷冻披萨', '手抓饼', '速冻馒头', '冷冻鱼块', '冻虾', '冷冻汤圆', '冰激凌', '速冻春卷', '冷冻肉丸'], variants: ['', '猪肉白菜', '芝麻', '三鲜', '香草味', '家庭装'] },
      household: { types: ['洗衣液', '洗衣粉', '洗洁精', '消毒液', '卫生纸', '抽纸', '厨房纸巾', '垃圾袋', '炒锅', '不粘锅', '菜刀', '筷子', '碗', '盘子', '玻璃杯', '拖把', '衣物柔顺剂', '肥皂', '洗衣凝珠', '马桶清洁剂', '油烟净', '保鲜膜', '保鲜袋', '湿巾', '卷纸', '汤锅', '蒸锅', '电饭煲内胆', '砧板', '水杯', '保温杯', '餐具套装', '勺子', '收纳箱', '衣架', '扫把'], variants: ['', '薰衣草', '柠檬', '三层', '加厚', '不锈钢', '套装'] },
      care: { types: ['洗发水', '护发素', '沐浴露', '牙膏', '牙刷', '面霜', '洗面奶', '防晒霜', '口红', '面膜', '卫生巾', '剃须刀', '感冒药', '创可贴', '维生素', '香皂', '洗手液', '身体乳', '护手霜', '爽肤水', '精华液', '眼霜', '粉底液', '眉笔', '睫毛膏', '指甲油', '漱口水', '牙线', '电动牙刷', '止痛药', '维生素C', '钙片', '口罩', '体温计'], variants: ['', '去屑', '控油', '敏感肌', '美白', '男士', 'SPF50'] },
      pet: { types: ['狗粮', '猫粮', '猫砂', '宠物零食', '狗绳', '猫抓板', '鱼食', '宠物窝', '狗零食', '猫罐头', '宠物洗澡液', '猫爬架', '狗窝', '宠物牵引绳', '鸟食', '仓鼠粮'], variants: ['', '成犬', '幼猫', '鸡肉味', '豆腐猫砂'] },
      baby: { types: ['纸尿裤', '拉拉裤', '婴儿湿巾', '奶瓶', '奶嘴', '婴儿推车', '儿童安全座椅', '婴儿洗发水', '口水巾', '婴儿奶瓶', '安抚奶嘴', '婴儿车', '婴儿床', '婴儿润肤霜', '爽身粉', '儿童牙刷', '宝宝辅食碗', '尿布'], variants: ['', 'L码', 'XL码', '新生儿', '0-6个月'] },
      general: { types: ['男士T恤', '女士连衣裙', '运动鞋', '双肩包', '手提包', '手表', '银项链', '手机壳', '智能手机', '笔记本电脑', '无线耳机', '图书', '积木玩具', '办公椅', '台灯', '电钻', '行李箱', '篮球', '轮胎', '笔记本', '气球', '床上四件套', '连衣裙', '牛仔裤', '衬衫', '外套', '羽绒服', '高跟鞋', '拖鞋', '帽子', '围巾', '钱包', '耳环', '戒指', '手链', '平板电脑', '充电器', '数据线', '移动电源', '路由器', '显示器', '键盘', '鼠标', '小说', '漫画书', '玩具车', '毛绒玩具', '沙发', '床垫', '扳手', '汽车轮胎', '机油', '雨刷', '足球', '羽毛球拍', '瑜伽垫', '帐篷', '文具', '钢笔', '口琴', '吉他'], variants: ['', '黑色', '蓝色', 'M码', '42码', '男款', '女款', '儿童'] },
    },
  },
  {
    language: 'ja',
    perClass: 250,
    metric: { g: 'g', ml: 'ml', spaced: false },
    units: { food: ['500g', '1kg', '250g', '1L', '500ml', '2L', '12本', '24缶', '10袋', '6個入', '徳用', '1パック', ''], goods: ['1個', '2個セット', '3枚入', '1本', 'セット', ''] , counts: ['2個', '6個入', '10枚入', '3袋', '2枚', '4本入', '12個', '5パック', '1箱', '3個セット'] },
    brands: { beverages: ['サントリー', '伊藤園', 'キリン', 'アサヒ', 'UCC', 'ネスカフェ'], snacks: ['カルビー', '明治', 'ロッテ', '森永', 'ブルボン', '亀田製菓'], breakfast: ['日清シスコ', 'ケロッグ'], pantry: ['キッコーマン', 'ヤマサ', 'ミツカン', '味の素', 'ハウス食品', 'エスビー'], canned: ['日清食品', 'マルちゃん', 'はごろも', '永谷園', 'ハウス'], dairy: ['明治', '森永乳業', '雪印メグミルク', 'よつ葉'], fresh: ['国産', '産直'], frozen: ['ニチレイ', '味の素冷凍食品', 'ハーゲンダッツ', '赤城乳業'], household: ['花王', 'ライオン', 'P&G', 'エリエール', 'ニトリ'], care: ['資生堂', '花王', 'ライオン', 'ロート製薬', '小林製薬'], pet: ['いなば', 'ユニ・チャーム'], baby: ['メリーズ', 'パンパース', 'ムーニー'] },
    classes: {
      beverages: { types: ['ミネラルウォーター', '炭酸水', '緑茶', '麦茶', 'ほうじ茶', '缶コーヒー', 'インスタントコーヒー', 'オレンジジュース', 'ビール', '日本酒', '焼酎', '梅酒', 'スポーツドリンク', '抹茶', '紅茶', '烏龍茶', 'ジャスミン茶', '炭酸飲料', 'コーラ', 'サイダー', '野菜ジュース', '乳酸菌飲料', '缶チューハイ', 'ワイン', 'ウイスキー', 'ハイボール', 'コーヒー豆', '水', 'ルイボスティー', '玄米茶', 'カフェオレ', 'ミルクティー', '甘酒', 'レモンティー', '黒酢ドリンク', 'ノンアルコールビール', 'トマトジュース', '微炭酸水', 'アイスコーヒー', 'カフェラテ', 'ココア', 'はちみつレモン', 'りんごジュース', 'ぶどうジュース', 'グレープフルーツジュース', 'ジンジャーエール', 'エナジードリンク', '栄養ドリンク', '抹茶ラテ', '黒豆茶', 'そば茶', 'ごぼう茶', 'ハーブティー', 'チャイ', '赤ワイン', '白ワイン', 'スパークリングワイン', 'クラフトビール', '発泡酒', 'ゆずチューハイ', 'ウーロンハイ', 'カクテル', '泡盛', '純米酒', '吟醸酒', 'にごり酒', '天然水', 'アルカリイオン水', 'ドリップバッグ', '粉末ジュース', 'ぶどうサワー', 'ラムネ飲料'], variants: ['', '無糖', '微糖', 'ペットボトル', '純米', '辛口', '2L', '缶', '紙パック', '瓶', 'ケース', '箱買い', '糖質ゼロ', 'カフェインレス', 'まろやか', '濃いめ', 'すっきり'] },
      snacks: { types: ['ポテトチップス', 'せんべい', 'チョコレート', 'クッキー', 'グミ', 'キャンディ', 'あられ', 'ナッツ', 'ようかん', 'まんじゅう', 'どら焼き', 'スナック菓子', 'おかき', 'クラッカー', 'ビスケット', 'ポッキー', 'キャラメル', 'ガム', 'ラムネ', '羊羹', '大福', 'カステラ', 'ポテトスナック', '干し芋', 'ウエハース', 'バウムクーヘン', 'マシュマロ', 'プリッツ', 'ドーナツ', 'ゼリー', 'チョコ菓子', 'ポップコーン', 'えびせん', 'ビーフジャーキー', '落花生', '米菓', 'おせんべい', '揚げせんべい', 'ソフトせんべい', 'コーンスナック', 'チーズスナック', '豆菓子', 'さきいか', 'チョコパイ', 'ミルクチョコ', 'ホワイトチョコ', 'アーモンドチョコ', 'ビターチョコ', 'サブレ', 'フィナンシェ', 'マドレーヌ', 'ロールケーキ', 'わらび餅', 'みたらし団子', 'おはぎ', 'もなか', '金平糖', 'あめ', 'のど飴', 'ソフトキャンディ', 'チューイングガム', 'ミックスナッツ', 'アーモンド', 'カシューナッツ', 'ドライフルーツ', '干し梅', 'するめ', '駄菓子', 'ひとくちようかん', 'きなこ餅'], variants: ['', 'うすしお', 'のりしお', 'コンソメ', '抹茶味', '詰め合わせ', '個包装', 'しお味', 'バター醤油', 'チーズ味', 'カレー味', 'ファミリーパック', '大袋', '小袋', '期間限定', 'さくさく', 'しっとり'] },
      breakfast: { types: ['シリアル', 'グラノーラ', 'オートミール', 'コーンフレーク', 'ホットケーキミックス', '食パン', 'ミューズリー', 'ブランフレーク', 'コーンフロスト', 'チョコフレーク', '玄米フレーク', 'ロールドオーツ', 'インスタントオートミール', 'パンケーキミックス', 'シリアルバー', 'フルーツシリアル', 'もち麦シリアル', '朝食シリアル', 'ナッツグラノーラ'], variants: ['', 'フルーツ', '砂糖不使用', 'プレーン', '全粒粉', 'ファミリーサイズ', '大容量', 'お徳用', '袋', '箱', '鉄分入り', '食物繊維'] },
      pantry: { types: ['米', 'コシヒカリ', '醤油', 'みりん', '料理酒', '酢', 'サラダ油', 'ごま油', '砂糖', '塩', 'だしの素', 'カレールー', '小麦粉', 'パスタ', 'うどん乾麺', 'そば', 'マヨネーズ', 'ソース', '無洗米', '玄米', 'もち米', '乾麺', 'そうめん', 'パスタソース', 'ケチャップ', 'ポン酢', 'めんつゆ', '白だし', 'ごま', '片栗粉', 'パン粉', 'はちみつ', 'ジャム', 'オリーブオイル', '中濃ソース', 'わさび', 'からし', 'ドレッシング', 'コンソメ', '鶏ガラスープの素', '黒糖', 'きな粉', '天ぷら粉', 'お好み焼き粉', '焼肉のたれ', 'ラー油', 'こしょう', '七味唐辛子', 'キャノーラ油', '米油', '新米', '精米', 'ササニシキ', 'ゆめぴりか', 'つや姫', 'ひとめぼれ', '雑穀米', '押麦', 'だし醤油', 'たまり醤油', 'かつおだし', '昆布だし', 'かつお節', 'ウスターソース', 'とんかつソース', 'オイスターソース', '豆板醤', '甜麺醤', 'コチュジャン', '粒マスタード', 'ごまドレッシング', '穀物酢', '米酢', 'りんご酢', '上白糖', 'グラニュー糖', 'てんさい糖', '岩塩', 'ブラックペッパー', 'カレー粉', 'シナモン', '強力粉', '薄力粉', 'スパゲッティ', 'ペンネ', 'マカロニ', 'ひやむぎ', 'きしめん', '春雨', 'ビーフン', 'えごま油', 'アマニ油', 'なたね油', 'ココナッツオイル', 'しょうゆ', 'みそ', 'さとう'], variants: ['', '濃口', '薄口', '減塩', '白味噌', '赤味噌', '無洗米', '5kg', '国産', '北海道産', '有機', '特選', '本醸造', '業務用', 'チューブ', 'お徳用', '無添加', 'こだわり'] },
      canned: { types: ['味噌', 'カップラーメン', 'インスタントラーメン', 'ツナ缶', 'サバ缶', 'コーン缶', 'レトルトカレー', '梅干し', '漬物', '味噌汁インスタント', 'お茶漬け', 'ふりかけ', '粉ミルク', 'カップ麺', '袋麺', '焼きそば', 'レトルトご飯', 'パックご飯', 'スープ', 'コーンスープ', '缶詰', 'ツナ', 'フルーツ缶', '佃煮', 'トマト缶', 'あさり缶', 'いわし缶', '鯖味噌煮缶', 'やきとり缶', 'カップうどん', 'カップ焼きそば', 'フリーズドライ味噌汁', 'シチューの素', 'ハヤシライス', 'みかん缶', 'さんま缶', 'ほたて缶', 'かに缶', 'コンビーフ', 'ランチョンミート', 'ミートソース缶', 'デミグラスソース缶', 'ミックスビーンズ', 'ひよこ豆缶', 'ゆで小豆', 'なめたけ', 'メンマ', 'ザーサイ', '鮭フレーク', 'レトルトパスタソース', 'カップスープ', '即席麺', 'カップそば', 'ちゃんぽん', 'おかゆ', '雑炊の素', '炊き込みご飯の素', '麻婆豆腐の素', '中華丼の素', '親子丼の素', '牛丼の具', 'ハヤシルー', 'パスタソース缶', '焼き魚缶', 'いわし蒲焼缶'], variants: ['', 'しょうゆ味', 'とんこつ', '中辛', '甘口', '5食パック', '3缶パック', '4缶', '缶詰', 'レトルト', 'ノンオイル', '大盛り', '10食入', '1食分', '5食入り'] },
      dairy: { types: ['牛乳', 'ヨーグルト', 'チーズ', 'バター', '生クリーム', '卵', 'プリン', '豆乳', '飲むヨーグルト', '低脂肪乳', 'カマンベール', 'クリームチーズ', 'マーガリン', 'たまご', '温泉卵', '豆乳飲料', 'モッツァレラチーズ', 'ピザ用チーズ', '粉チーズ', 'カッテージチーズ', '発酵バター', 'ホイップクリーム', 'ギリシャヨーグルト', 'うずらの卵', '成分無調整牛乳', '加工乳', '特濃牛乳', '低温殺菌牛乳', 'ジャージー牛乳', 'のむヨーグルト', 'アロエヨーグルト', 'カップヨーグルト', 'プロセスチーズ', 'ベビーチーズ', 'さけるチーズ', 'ゴーダチーズ', 'チェダーチーズ', 'パルメザンチーズ', 'マスカルポーネ', '無塩バター', '有塩バター', 'コーヒーフレッシュ', '練乳', '赤玉子', '白玉子', '平飼い卵', '有精卵', 'ゆで卵', '味付け卵', 'たまご 10個'], variants: ['', '低脂肪', 'プレーン', '10個入り', '無調整', '加糖', 'Lサイズ', 'LLサイズ', 'MSサイズ', 'Mサイズ', '6個入', '10個入', '1000ml', '濃厚', 'まろやか', '8枚入'] },
      fresh: { types: ['豚バラ肉', '牛肉切り落とし', '鶏もも肉', '鮭切り身', '刺身', 'まぐろ', '豆腐', '納豆', 'キャベツ', '大根', 'ねぎ', 'トマト', 'りんご', 'みかん', 'バナナ', 'しいたけ', 'おにぎり', '弁当', '牛ひき肉', '豚ロース', '鶏ささみ', 'ベーコン', 'ハム', 'ソーセージ', 'ぶり', 'さんま', 'えび', 'いか', '油揚げ', 'にんじん', 'じゃがいも', '玉ねぎ', 'ほうれん草', 'きゅうり', 'もやし', 'ぶどう', 'いちご', '食パン', '惣菜', '合いびき肉', '手羽先', '豚肩ロース', '牛タン', 'あじ', 'たこ', 'ほたて', 'ピーマン', 'なす', 'ブロッコリー', 'レタス', '白菜', 'かぼちゃ', 'しめじ', 'えのき', 'メロン', 'ロールパン', 'コロッケ', '焼き鳥', '鶏手羽元', '鶏レバー', '豚ひき肉', '豚バラ薄切り', '豚ロース厚切り', '牛ロース', '牛すじ', '牛もも', 'ステーキ用牛肉', '焼肉用牛肉', 'しゃぶしゃぶ用豚肉', 'とんかつ用豚肉', '生姜焼き用豚肉', '塩さば', '銀鮭', 'ししゃも', 'かつおのたたき', 'まぐろ赤身', 'サーモン', 'はまち', 'しらす', 'ちくわ', 'かまぼこ', 'はんぺん', '厚揚げ', 'こんにゃく', '白菜キムチ', 'ごぼう', 'れんこん', 'さつまいも', '長ねぎ', '小松菜', '水菜', 'オクラ', 'ミニトマト', 'パプリカ', 'アボカド', '大葉', 'しょうが', 'にんにく', 'キウイ', 'なし', '柿', 'もも', 'さくらんぼ', 'すいか', 'パイナップル', 'サンドイッチ', '巻き寿司', 'いなり寿司', 'ちらし寿司', 'ポテトサラダ', '生ラーメン', 'ゆでうどん', '生そば'], variants: ['', '国産', '新鮮', '絹ごし', '木綿', '3パック', '1パック', '100g当たり', '1袋', '1本', '2本', '1玉', '1個', '3個入', '4枚入', '切り落とし', '薄切り', '厚切り', '産地直送', '特売', 'まとめ買い'] },
      frozen: { types: ['冷凍餃子', '冷凍チャーハン', '冷凍うどん', 'アイスクリーム', '冷凍枝豆', '冷凍から揚げ', '冷凍たこ焼き', '冷凍ピザ', '冷凍野菜ミックス', '冷凍パスタ', '冷凍ハンバーグ', '冷凍グラタン', 'かき氷', 'アイスバー', '冷凍ブロッコリー', '冷凍ポテト', '冷凍焼きおにぎり', '冷凍ラーメン', '冷凍シュウマイ', '冷凍春巻', '冷凍えび', '冷凍いちご', '冷凍コロッケ', 'アイスモナカ', 'ソフトクリーム', '冷凍たい焼き', '冷凍ナゲット', '冷凍ほうれん草', '冷凍コーン', '冷凍ミックスベジタブル', '冷凍さぬきうどん', '冷凍そば', '冷凍お好み焼き', '冷凍焼売', '冷凍肉まん', '冷凍エビフライ', '冷凍とんかつ', '冷凍ドリア', '冷凍オムライス', '冷凍ビビンバ', '冷凍弁当', '冷凍ブルーベリー', '冷凍マンゴー', 'アイスキャンディー', 'ラクトアイス', 'シャーベット', 'ジェラート', 'カップアイス', 'チョコアイス', '冷凍食品'], variants: ['', 'バニラ', '抹茶', '業務用', '大容量', '6個入', '大袋', 'レンジ対応', '国産野菜', 'お弁当用', '8本入', '箱'] },
      household: { types: ['洗濯洗剤', '柔軟剤', '食器用洗剤', 'トイレ用洗剤', 'ティッシュペーパー', 'トイレットペーパー', 'キッチンペーパー', 'ゴミ袋', 'フライパン', '鍋', '包丁', '箸', '茶碗', 'グラス', 'スポンジ', '台所用洗剤', '漂白剤', '消臭剤', '芳香剤', 'ラップ', 'アルミホイル', '保存容器', 'キッチンタオル', 'トイレットロール', '炊飯器の内釜', 'まな板', '湯のみ', 'マグカップ', 'お皿', '箸置き', 'ハンガー', '収納ボックス', 'ほうき', '雑巾', 'キッチン用漂白剤', 'お風呂用洗剤', 'ガラスクリーナー', 'フローリングワイパー', 'ウェットシート', '除菌スプレー', '衣料用洗剤', '粉末洗剤', 'ジェルボール', '食洗機用洗剤', '排水口ネット', 'ポリ袋', 'ジッパー付き保存袋', 'キッチンばさみ', 'おたま', 'フライ返し', 'ボウル', 'ざる', '計量カップ', '土鍋', '圧力鍋', 'やかん', '急須', '丼', '小皿', 'タンブラー', 'ジョッキ', 'コップ', '水筒', '弁当箱', '密閉容器', '洗濯ネット', '洗濯ばさみ', '電球', '乾電池', '防虫剤', '除湿剤', '殺虫剤', '蚊取り線香', 'ゴム手袋', 'たわし', 'メラミンスポンジ', 'ビールグラス', 'ティーカップ', '茶こし'], variants: ['', '詰め替え', '無香料', '5箱', '45L', 'ステンレス', 'セット', '大容量', '本体', 'つめかえ用', '業務用', '10枚入', '3個セット', '日本製', 'ホワイト', 'まとめ買い'] },
      care: { types: ['シャンプー', 'コンディショナー', 'ボディソープ', '歯磨き粉', '歯ブラシ', '化粧水', '乳液', '日焼け止め', '口紅', 'マスカラ', 'ファンデーション', '生理用ナプキン', '風邪薬', '目薬', '絆創膏', 'ハンドソープ', '洗顔フォーム', 'クレンジング', '美容液', 'ボディクリーム', 'ハンドクリーム', 'リップクリーム', 'アイライナー', 'マニキュア', 'カミソリ', 'シェービングジェル', 'マスク', '湿布', '胃腸薬', '頭痛薬', 'ビタミン剤', '体温計', '薬用シャンプー', 'リンス', 'トリートメント', 'ヘアオイル', 'ヘアスプレー', '白髪染め', 'ボディローション', '入浴剤', '石けん', '制汗剤', 'マウスウォッシュ', 'デンタルフロス', '歯間ブラシ', 'シートマスク', 'BBクリーム', 'アイシャドウ', 'チーク', 'コンタクト洗浄液', '綿棒', 'コットン', '鎮痛剤', '解熱鎮痛薬', '整腸剤', '葛根湯', '漢方薬', 'うがい薬', '消毒液', 'サプリメント', 'マルチビタミン', '鉄分サプリ', '冷却シート', 'ばんそうこう', 'かぜ薬', '点鼻薬'], variants: ['', '敏感肌用', 'メンズ', 'しっとり', 'さらさら', 'SPF50+', '詰め替え', '60錠', '120粒', '30日分', '医薬部外品', '第2類医薬品', '第3類医薬品', 'ミント', '無香料', '大容量', '24錠'] },
      pet: { types: ['ドッグフード', 'キャットフード', '猫砂', 'ペットシーツ', '犬用おやつ', '猫用おもちゃ', '首輪', '金魚のえさ', 'キャットフード ウェット', '犬用ガム', 'ペット用シャンプー', '爪とぎ', 'ペットキャリー', '小鳥のえさ', 'ドライフード', 'ウェットフード', '猫缶', '犬缶', '犬用ジャーキー', '猫用パウチ', 'ペット用ウェットティッシュ', 'ケージ', 'リード', 'ハーネス', '犬用ベッド', 'キャットタワー', '猫用トイレ', '鳥かご', '熱帯魚のえさ', '水槽', 'ハムスターのえさ', '牧草'], variants: ['', '成犬用', '子猫用', 'チキン味', '小粒', '7歳以上', 'シニア犬用', '成猫用', '室内飼い', 'まぐろ味', 'かつお味', '12袋', '3缶パック', '24缶'] },
      baby: { types: ['紙おむつ', 'おしりふき', '哺乳瓶', 'おしゃぶり', 'ベビーカー', 'チャイルドシート', 'ベビーローション', 'よだれかけ', 'ベビー用品', '粉ミルク用 哺乳瓶', '抱っこ紐', 'ベビーベッド', 'ベビーソープ', 'ベビーバス', 'おむつ', '紙パンツ', 'パンツタイプ', 'ベビー用綿棒', 'ベビー服', 'ロンパース', 'スタイ', 'ベビーモニター', 'ベビーチェア', 'ベビーゲート', '離乳食用スプーン', '授乳クッション', '母乳パッド', 'ベビー用爪切り', '歯固め', 'ガラガラ', 'ベビー用洗濯洗剤'], variants: ['', 'Mサイズ', 'Lサイズ', '新生児用', 'テープ', 'Sサイズ', 'ビッグサイズ', '1歳から', '6か月から', '3個パック', '64枚'] },
      general: { types: ['メンズTシャツ', 'レディースワンピース', 'スニーカー', 'リュック', 'ハンドバッグ', '腕時計', 'ネックレス', 'スマホケース', 'スマートフォン', 'ノートパソコン', 'ワイヤレスイヤホン', '文庫本', '漫画', 'ブロック玩具', 'オフィスチェア', 'デスクライト', '電動ドリル', 'スーツケース', 'サッカーボール', 'タイヤ', 'ノート', '布団', 'ジーンズ', 'シャツ', 'パーカー', 'コート', 'スカート', 'パンプス', 'ブーツ', 'サンダル', '帽子', 'マフラー', '財布', 'ピアス', '指輪', 'ブレスレット', 'タブレット', '充電器', 'モバイルバッテリー', 'USBケーブル', 'マウス', 'キーボード', 'モニター', '小説', '絵本', 'ゲームソフト', 'ぬいぐるみ', 'プラモデル', 'ソファ', '照明', 'ドライバー', 'スパナ', 'カー用品', 'タイヤチェーン', 'エンジンオイル', 'ゴルフボール', 'テニスラケット', 'ヨガマット', 'テント', '文房具', 'ボールペン', 'ギター', 'ジャケット', 'ダウンコート', 'セーター', 'カーディガン', 'ポロシャツ', 'スラックス', 'ワイシャツ', 'ネクタイ', '靴下', 'ベルト', 'トートバッグ', 'ショルダーバッグ', 'キャリーケース', 'イヤリング', 'スマートウォッチ', 'ゲーム機', 'テレビ', 'デジタルカメラ', 'プリンター', 'SDカード', 'HDMIケーブル', 'スピーカー', 'ヘッドホン', '扇風機', '掃除機', '電子レンジ', '炊飯器', '冷蔵庫', '洗濯機', 'ドライヤー', 'アイロン', '加湿器', '空気清浄機', '自転車', 'ヘルメット', 'カーナビ', 'ドライブレコーダー', 'カーバッテリー', '工具セット', 'のこぎり', 'インパクトドライバー', '電卓', '手帳', 'カレンダー', 'クリアファイル', 'パズル', 'トランプ', 'ボードゲーム', '人形', '傘', '日傘', 'サングラス', 'メガネ', '布団カバー', '枕', 'カーテン', 'ラグ', 'クッション', 'ゴルフクラブ', '釣り竿', 'ランニングシューズ', '水着', '浴衣', '着物'], variants: ['', 'ブラック', 'ネイビー', 'Mサイズ', '26cm', 'メンズ', 'レディース', 'キッズ', 'ホワイト', 'グレー', 'ベージュ', 'Lサイズ', 'XLサイズ', 'フリーサイズ', '防水', '大人用', '子供用', '男女兼用', '日本製', '黒', '白', '赤', '2個セット'] },
    },
  },
];

/** Weights and volumes that groceries, toiletries, cleaning and pet products are all sold in. */
const METRIC_AMOUNTS = [
  '30',
  '45',
  '57',
  '75',
  '90',
  '100',
  '120',
  '140',
  '150',
  '180',
  '190',
  '200',
  '250',
  '300',
  '350',
  '400',
  '450',
  '500',
  '600',
  '750',
  '800',
  '900',
  '1000',
];

/**
 * Amounts in the language's spelling. Every class but general merchandise carries them, so an amount alone never
 * decides the class (a model that saw "1000g" only on detergent called "サラダ油 1000g" Non-Food).
 */
function metricSizes({ g, ml, spaced }: LanguageTable['metric']): string[] {
  const sep = spaced ? ' ' : '';
  return METRIC_AMOUNTS.flatMap((n) => [`${n}${sep}${g}`, `${n}${sep}${ml}`]);
}

/** Every table as classes of the generator: one family per language and class, marked with its language. */
export const LANGUAGE_VOCABULARY: ClassVocabulary[] = [...TABLES, ...INDIAN_SCRIPT_TABLES].flatMap((table) =>
  (Object.keys(CLASSES) as ClassKey[]).map((key) => {
    const { level1, level2, size, brands } = CLASSES[key];
    const { types, variants } = table.classes[key];
    const sizes = [
      ...(level1 === 'Food' ? table.units.food : table.units.goods),
      ...table.units.counts,
      ...(key === 'general' ? [] : metricSizes(table.metric)),
    ];
    const family = { types, brands: [...brands, ...(table.brands[key] ?? [])], variants, size, sizes, language: table.language };
    return { level1, level2, target: table.perClass, families: [family] };
  }),
);
