/**
 * The starter catalog's names in other languages and scripts: Spanish, German, French, Hindi (Devanagari and
 * transliterated), Russian, Chinese and Japanese. One table per language: for each class, the product types and
 * varieties as a shop in that language writes them; brands are shared per class (international and local).
 * Written for this project from general retail knowledge; generate.ts composes names from it.
 */
import type { ClassVocabulary, SizeKind } from './vocabulary.ts';

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

interface LanguageTable {
  language: string;
  /** Names to generate per class. */
  perClass: number;
  classes: Record<ClassKey, { types: string[]; variants: string[] }>;
}

// biome-ignore format: tables, one class a line
const TABLES: LanguageTable[] = [
  {
    language: 'es',
    perClass: 30,
    classes: {
      beverages: { types: ['Agua Mineral', 'Agua con Gas', 'Refresco de Cola', 'Zumo de Naranja', 'Jugo de Manzana', 'Café Molido', 'Café en Grano', 'Té Verde', 'Cerveza', 'Vino Tinto', 'Vino Blanco', 'Bebida Energética', 'Horchata'], variants: ['', 'Sin Azúcar', 'Natural', 'Light', 'Descafeinado', 'Reserva', 'Crianza'] },
      snacks: { types: ['Patatas Fritas', 'Papas Fritas', 'Galletas', 'Chocolate con Leche', 'Chocolate Negro', 'Caramelos', 'Chicles', 'Frutos Secos', 'Almendras Tostadas', 'Palomitas', 'Turrón de Jijona', 'Barrita de Cereales'], variants: ['', 'Sabor Jamón', 'Al Punto de Sal', 'Con Almendras', 'Sin Gluten', 'Picante', 'Clásico'] },
      breakfast: { types: ['Cereales de Desayuno', 'Copos de Avena', 'Muesli con Frutas', 'Copos de Maíz', 'Tortitas Mezcla', 'Galletas de Desayuno'], variants: ['', 'Integral', 'Con Miel', 'Sin Azúcar Añadido', 'Sabor Cacao'] },
      pantry: { types: ['Aceite de Oliva Virgen Extra', 'Arroz Redondo', 'Arroz Largo', 'Harina de Trigo', 'Azúcar Blanco', 'Sal Marina', 'Vinagre de Jerez', 'Pimentón de la Vera', 'Espaguetis', 'Macarrones', 'Lentejas Pardinas', 'Garbanzos Secos', 'Tomate Frito', 'Mayonesa', 'Miel de Flores', 'Orégano'], variants: ['', 'Ecológico', 'Extra', 'Dulce', 'Picante', 'Integral', 'Selección'] },
      canned: { types: ['Atún en Aceite de Oliva', 'Sardinas en Lata', 'Mejillones en Escabeche', 'Garbanzos Cocidos', 'Frijoles Negros', 'Maíz Dulce', 'Tomate Triturado', 'Sopa de Fideos', 'Fabada Asturiana', 'Aceitunas Rellenas', 'Pimientos del Piquillo', 'Leche de Fórmula Infantil'], variants: ['', 'Lata', 'Pack de 3', 'Bajo en Sal', 'Natural', 'Tarro de Cristal'] },
      dairy: { types: ['Leche Entera', 'Leche Semidesnatada', 'Leche Desnatada', 'Yogur Natural', 'Yogur Griego', 'Queso Manchego', 'Queso Fresco', 'Mantequilla', 'Nata para Montar', 'Huevos Frescos', 'Docena de Huevos', 'Bebida de Avena', 'Natillas'], variants: ['', 'Sin Lactosa', 'Curado', 'Semicurado', 'Desnatado', 'Camperos', 'Talla L'] },
      fresh: { types: ['Pechuga de Pollo', 'Carne Picada de Ternera', 'Lomo de Cerdo', 'Salmón Fresco', 'Merluza', 'Gambas', 'Jamón Serrano Loncheado', 'Chorizo', 'Tomates', 'Plátanos de Canarias', 'Manzanas', 'Naranjas', 'Lechuga', 'Cebollas', 'Pan de Barra', 'Tortillas de Maíz', 'Aguacates'], variants: ['', 'Bandeja', 'Ecológico', 'Granel', 'Por Kilo', 'Fileteado'] },
      frozen: { types: ['Pizza Congelada', 'Helado de Vainilla', 'Guisantes Congelados', 'Croquetas Congeladas', 'Varitas de Merluza', 'Paella Congelada', 'Patatas Prefritas', 'Gambas Congeladas', 'Empanadillas', 'Verduras para Wok'], variants: ['', 'Familiar', 'Cuatro Quesos', 'Barbacoa', 'Tarrina', 'Bolsa'] },
      household: { types: ['Detergente Líquido', 'Suavizante', 'Lavavajillas a Mano', 'Pastillas Lavavajillas', 'Lejía', 'Limpiador Multiusos', 'Papel Higiénico', 'Rollos de Cocina', 'Bolsas de Basura', 'Sartén Antiadherente', 'Juego de Ollas', 'Vasos de Cristal', 'Platos Llanos', 'Cubiertos', 'Fregona'], variants: ['', 'Aroma Lavanda', 'Doble Capa', 'Con Asas', '24 cm', 'Pack de 6', 'Limón'] },
      care: { types: ['Champú', 'Acondicionador', 'Gel de Ducha', 'Desodorante', 'Pasta de Dientes', 'Cepillo de Dientes', 'Crema Hidratante', 'Protector Solar', 'Maquinillas de Afeitar', 'Compresas', 'Ibuprofeno', 'Paracetamol', 'Tiritas', 'Pintalabios', 'Rímel'], variants: ['', 'Piel Sensible', 'Anticaspa', 'Para Hombre', 'SPF 50', 'Blanqueadora', '400 mg'] },
      pet: { types: ['Pienso para Perros', 'Comida para Gatos', 'Arena para Gatos', 'Snacks para Perros', 'Correa para Perro', 'Juguete para Gato', 'Comida para Peces', 'Cama para Perro'], variants: ['', 'Adulto', 'Cachorro', 'Esterilizado', 'Con Pollo', 'Aglomerante'] },
      baby: { types: ['Pañales', 'Toallitas para Bebé', 'Biberón', 'Chupete', 'Crema del Pañal', 'Champú para Bebé', 'Cochecito de Bebé', 'Silla de Coche', 'Babero'], variants: ['', 'Talla 3', 'Talla 4', 'Recién Nacido', '0-6 Meses', 'Sensitive'] },
      general: { types: ['Camiseta de Algodón', 'Pantalón Vaquero', 'Zapatillas Deportivas', 'Bolso de Mano', 'Reloj de Pulsera', 'Pendientes de Plata', 'Funda para Móvil', 'Teléfono Móvil', 'Portátil', 'Auriculares Inalámbricos', 'Libro de Bolsillo', 'Juguete de Construcción', 'Silla de Oficina', 'Lámpara de Mesa', 'Taladro Percutor', 'Maleta de Cabina', 'Balón de Fútbol', 'Neumático', 'Cuaderno', 'Globos de Fiesta'], variants: ['', 'Negro', 'Azul', 'Talla M', 'Talla 42', 'Para Mujer', 'Para Hombre', 'Infantil'] },
    },
  },
  {
    language: 'de',
    perClass: 30,
    classes: {
      beverages: { types: ['Mineralwasser', 'Sprudelwasser', 'Apfelschorle', 'Orangensaft', 'Apfelsaft', 'Kaffeebohnen', 'Gemahlener Kaffee', 'Schwarzer Tee', 'Kräutertee', 'Pils', 'Weißbier', 'Rotwein', 'Weißwein', 'Sekt', 'Eistee'], variants: ['', 'Still', 'Medium', 'Naturtrüb', 'Direktsaft', 'Entkoffeiniert', 'Trocken', 'Halbtrocken'] },
      snacks: { types: ['Kartoffelchips', 'Salzstangen', 'Butterkekse', 'Vollmilchschokolade', 'Zartbitterschokolade', 'Gummibärchen', 'Lakritz', 'Erdnüsse Geröstet', 'Studentenfutter', 'Müsliriegel', 'Lebkuchen', 'Waffeln'], variants: ['', 'Paprika', 'Gesalzen', 'Mit Haselnüssen', 'Klassisch', 'Vegan', 'Glutenfrei'] },
      breakfast: { types: ['Haferflocken', 'Knuspermüsli', 'Cornflakes', 'Früchtemüsli', 'Porridge', 'Pfannkuchen Backmischung'], variants: ['', 'Zart', 'Kernig', 'Ohne Zuckerzusatz', 'Schoko', 'Vollkorn'] },
      pantry: { types: ['Weizenmehl Type 405', 'Zucker', 'Speisesalz', 'Sonnenblumenöl', 'Olivenöl', 'Essig', 'Spätzle', 'Nudeln', 'Reis', 'Senf', 'Ketchup', 'Honig', 'Gewürzmischung', 'Paprikapulver', 'Backpulver', 'Marmelade'], variants: ['', 'Bio', 'Mittelscharf', 'Edelsüß', 'Naturrein', 'Vollkorn', 'Fein'] },
      canned: { types: ['Sauerkraut', 'Gewürzgurken', 'Rotkohl', 'Erbsensuppe', 'Linseneintopf', 'Thunfisch in Öl', 'Dosentomaten', 'Kidneybohnen', 'Mais in der Dose', 'Instantnudeln', 'Babybrei im Glas', 'Säuglingsmilchnahrung'], variants: ['', 'Im Glas', 'Dose', 'Klassisch', 'Mild', 'Ab dem 6. Monat'] },
      dairy: { types: ['Vollmilch', 'Fettarme Milch', 'Joghurt Natur', 'Quark', 'Schmand', 'Sahne', 'Butter', 'Gouda Scheiben', 'Emmentaler', 'Frischkäse', 'Freilandeier', 'Eier aus Bodenhaltung', 'Pudding', 'Haferdrink'], variants: ['', '3,5% Fett', '1,5% Fett', 'Laktosefrei', 'Mager', 'Mittelalt', '10 Stück'] },
      fresh: { types: ['Hähnchenbrustfilet', 'Rinderhackfleisch', 'Schweineschnitzel', 'Bratwurst', 'Leberwurst', 'Schinken', 'Lachsfilet', 'Kartoffeln', 'Äpfel', 'Bananen', 'Tomaten', 'Gurke', 'Möhren', 'Vollkornbrot', 'Brötchen', 'Brezel', 'Tofu'], variants: ['', 'Frisch', 'Bio', 'Aus der Region', 'Festkochend', 'Geschnitten', 'Je kg'] },
      frozen: { types: ['Tiefkühlpizza', 'Fischstäbchen', 'Rahmspinat', 'Pommes Frites', 'Erbsen Tiefgefroren', 'Vanilleeis', 'Kroketten', 'Gemüsepfanne', 'Backfisch', 'Schwarzwälder Kirschtorte Tiefgekühlt'], variants: ['', 'Hawaii', 'Margherita', 'Familienpackung', 'Ofenfrisch', 'Knusprig'] },
      household: { types: ['Waschmittel', 'Flüssigwaschmittel', 'Weichspüler', 'Spülmittel', 'Spülmaschinentabs', 'Allzweckreiniger', 'Toilettenpapier', 'Küchenrolle', 'Müllbeutel', 'Bratpfanne', 'Kochtopf Set', 'Weingläser', 'Kaffeetasse', 'Besteckset', 'Wischmopp'], variants: ['', 'Color', 'Vollwaschmittel', '3-lagig', '60 Liter', 'Edelstahl', 'Antihaft', '6er Set'] },
      care: { types: ['Shampoo', 'Spülung', 'Duschgel', 'Deo Spray', 'Zahnpasta', 'Zahnbürste', 'Gesichtscreme', 'Sonnencreme', 'Rasierklingen', 'Binden', 'Kopfschmerztabletten', 'Pflaster', 'Handcreme', 'Lippenpflege', 'Nasenspray'], variants: ['', 'Für Empfindliche Haut', 'Gegen Schuppen', 'LSF 30', 'Men', 'Mittel', 'Sensitiv'] },
      pet: { types: ['Hundefutter', 'Katzenfutter', 'Katzenstreu', 'Hundeleckerli', 'Hundeleine', 'Katzenspielzeug', 'Vogelfutter', 'Fischfutter', 'Kratzbaum'], variants: ['', 'Nassfutter', 'Trockenfutter', 'Mit Huhn', 'Junior', 'Senior', 'Klumpend'] },
      baby: { types: ['Windeln', 'Feuchttücher', 'Babyflasche', 'Schnuller', 'Wundschutzcreme', 'Babyshampoo', 'Kinderwagen', 'Autositz', 'Lätzchen', 'Babyphone'], variants: ['', 'Größe 4', 'Größe 5', 'Neugeborene', 'Sensitiv', '0-6 Monate'] },
      general: { types: ['Herren T-Shirt', 'Damen Jeans', 'Laufschuhe', 'Handtasche', 'Armbanduhr', 'Silberkette', 'Handyhülle', 'Smartphone', 'Notebook', 'Kopfhörer', 'Taschenbuch', 'Bausteine', 'Bürostuhl', 'Stehlampe', 'Akkuschrauber', 'Reisekoffer', 'Fußball', 'Winterreifen', 'Notizbuch', 'Luftballons', 'Bettwäsche', 'Gartenschlauch'], variants: ['', 'Schwarz', 'Blau', 'Größe L', 'Größe 42', 'Für Herren', 'Für Damen', 'Kinder'] },
    },
  },
  {
    language: 'fr',
    perClass: 30,
    classes: {
      beverages: { types: ['Eau Minérale', 'Eau Gazeuse', 'Jus d\'Orange', 'Jus de Pomme', 'Café Moulu', 'Café en Grains', 'Thé Vert', 'Infusion', 'Bière Blonde', 'Vin Rouge', 'Vin Blanc', 'Champagne Brut', 'Sirop de Grenadine', 'Limonade'], variants: ['', 'Pur Jus', 'Sans Sucre', 'Bio', 'Décaféiné', 'Grand Cru', 'Pétillante'] },
      snacks: { types: ['Chips', 'Biscuits', 'Chocolat au Lait', 'Chocolat Noir', 'Bonbons', 'Madeleines', 'Cacahuètes Grillées', 'Barre Chocolatée', 'Gaufrettes', 'Pâte à Tartiner', 'Macarons', 'Crackers Apéritif'], variants: ['', 'Nature', 'Saveur Barbecue', 'Aux Noisettes', '70% Cacao', 'Pur Beurre', 'Sans Gluten'] },
      breakfast: { types: ['Céréales du Petit Déjeuner', 'Flocons d\'Avoine', 'Muesli Croustillant', 'Pétales de Maïs', 'Préparation pour Crêpes', 'Biscottes'], variants: ['', 'Complet', 'Au Miel', 'Chocolat', 'Sans Sucres Ajoutés'] },
      pantry: { types: ['Farine de Blé', 'Sucre en Poudre', 'Sel de Guérande', 'Huile d\'Olive Vierge Extra', 'Huile de Tournesol', 'Vinaigre de Vin', 'Moutarde de Dijon', 'Pâtes', 'Riz Basmati', 'Lentilles Vertes', 'Confiture de Fraises', 'Miel de Lavande', 'Herbes de Provence', 'Poivre Noir Moulu', 'Levure Chimique', 'Sauce Tomate'], variants: ['', 'Bio', 'Fine', 'Extra', 'À l\'Ancienne', 'Du Puy', 'Nature'] },
      canned: { types: ['Thon au Naturel', 'Sardines à l\'Huile', 'Petits Pois Carottes', 'Haricots Verts', 'Cassoulet', 'Ratatouille', 'Soupe de Légumes', 'Raviolis en Conserve', 'Cornichons', 'Maïs Doux', 'Lait Infantile', 'Petits Pots Bébé'], variants: ['', 'Boîte', 'Bocal', 'Extra Fins', 'Au Canard', '2ème Âge'] },
      dairy: { types: ['Lait Demi-Écrémé', 'Lait Entier', 'Yaourt Nature', 'Fromage Blanc', 'Crème Fraîche', 'Beurre Doux', 'Beurre Demi-Sel', 'Camembert', 'Comté', 'Emmental Râpé', 'Chèvre Frais', 'Œufs Frais', 'Œufs de Poules Élevées en Plein Air', 'Crème Dessert'], variants: ['', 'Bio', 'Sans Lactose', 'Au Lait Cru', 'AOP', 'Allégé', 'Boîte de 12'] },
      fresh: { types: ['Filet de Poulet', 'Steak Haché', 'Côte de Porc', 'Jambon Blanc', 'Saucisson Sec', 'Pavé de Saumon', 'Crevettes Cuites', 'Pommes de Terre', 'Tomates Grappe', 'Pommes Golden', 'Bananes', 'Carottes', 'Salade Laitue', 'Baguette Tradition', 'Pain de Mie', 'Croissant au Beurre', 'Quiche Lorraine'], variants: ['', 'Label Rouge', 'Bio', 'Le Kilo', 'Tranché', 'Frais', 'Fermier'] },
      frozen: { types: ['Pizza Surgelée', 'Frites Surgelées', 'Épinards Hachés Surgelés', 'Glace Vanille', 'Sorbet Citron', 'Bâtonnets de Poisson', 'Poêlée de Légumes', 'Croissants Surgelés', 'Lasagnes Surgelées', 'Bûche Glacée'], variants: ['', 'Quatre Fromages', 'Familial', 'Bac', 'Cuisinés', 'Recette Originale'] },
      household: { types: ['Lessive Liquide', 'Adoucissant', 'Liquide Vaisselle', 'Tablettes Lave-Vaisselle', 'Eau de Javel', 'Nettoyant Multi-Usages', 'Papier Toilette', 'Essuie-Tout', 'Sacs Poubelle', 'Poêle Antiadhésive', 'Casserole Inox', 'Verres à Vin', 'Assiettes Plates', 'Couverts', 'Balai Serpillière'], variants: ['', 'Fraîcheur Lavande', 'Double Épaisseur', '30 Litres', 'Lot de 6', '28 cm', 'Citron'] },
      care: { types: ['Shampooing', 'Après-Shampooing', 'Gel Douche', 'Déodorant', 'Dentifrice', 'Brosse à Dents', 'Crème Hydratante', 'Crème Solaire', 'Rasoirs Jetables', 'Serviettes Hygiéniques', 'Doliprane', 'Pansements', 'Rouge à Lèvres', 'Mascara', 'Sérum Visage'], variants: ['', 'Peaux Sensibles', 'Antipelliculaire', 'Homme', 'SPF 50+', 'Souple', '1000 mg'] },
      pet: { types: ['Croquettes pour Chien', 'Pâtée pour Chat', 'Litière pour Chat', 'Friandises pour Chien', 'Laisse pour Chien', 'Jouet pour Chat', 'Graines pour Oiseaux', 'Nourriture pour Poissons'], variants: ['', 'Adulte', 'Chaton', 'Stérilisé', 'Au Poulet', 'Agglomérante'] },
      baby: { types: ['Couches', 'Lingettes Bébé', 'Biberon', 'Tétine', 'Crème pour le Change', 'Shampooing Bébé', 'Poussette', 'Siège Auto', 'Bavoir', 'Gigoteuse'], variants: ['', 'Taille 3', 'Taille 4', 'Nouveau-Né', '0-6 Mois', 'Peaux Sensibles'] },
      general: { types: ['T-Shirt Homme', 'Jean Femme', 'Baskets', 'Sac à Main', 'Montre', 'Collier en Argent', 'Coque de Téléphone', 'Téléphone Portable', 'Ordinateur Portable', 'Casque Audio', 'Roman de Poche', 'Jeu de Construction', 'Chaise de Bureau', 'Lampe de Chevet', 'Perceuse Visseuse', 'Valise Cabine', 'Ballon de Football', 'Pneu', 'Cahier', 'Ballons de Fête', 'Housse de Couette'], variants: ['', 'Noir', 'Bleu', 'Taille M', 'Pointure 42', 'Pour Femme', 'Pour Homme', 'Enfant'] },
    },
  },
  {
    language: 'hi',
    perClass: 36,
    classes: {
      beverages: { types: ['चाय पत्ती', 'मसाला चाय', 'ग्रीन टी', 'कॉफी पाउडर', 'फ़िल्टर कॉफी', 'आम का जूस', 'नारियल पानी', 'शरबत', 'लस्सी पेय', 'सोडा', 'मिनरल वाटर', 'chai patti', 'nimbu sharbat'], variants: ['', 'प्रीमियम', 'इलायची', 'अदरक', 'गोल्ड', 'strong', 'kadak'] },
      snacks: { types: ['आलू भुजिया', 'नमकीन', 'बिस्कुट', 'चॉकलेट', 'सोन पापड़ी', 'काजू कतली', 'मठरी', 'मखाना', 'बादाम', 'काजू', 'किशमिश', 'चिक्की', 'लड्डू', 'namkeen mixture', 'aloo bhujia', 'soan papdi'], variants: ['', 'मसालेदार', 'मीठा', 'नमकीन', 'भुना हुआ', 'क्लासिक', 'tikha'] },
      breakfast: { types: ['ओट्स', 'मसाला ओट्स', 'कॉर्नफ्लेक्स', 'पोहा', 'उपमा मिक्स', 'दलिया', 'muesli', 'daliya'], variants: ['', 'मसाला', 'शहद', 'बिना चीनी', 'instant'] },
      pantry: { types: ['गेहूं का आटा', 'आटा', 'बेसन', 'मैदा', 'सूजी', 'बासमती चावल', 'चावल', 'तूर दाल', 'अरहर दाल', 'मूंग दाल', 'चना दाल', 'उड़द दाल', 'मसूर दाल', 'राजमा', 'काबुली चना', 'हल्दी पाउडर', 'लाल मिर्च पाउडर', 'धनिया पाउडर', 'जीरा', 'राई', 'गरम मसाला', 'चाट मसाला', 'सरसों का तेल', 'गुड़', 'चीनी', 'नमक', 'हींग', 'इलायची', 'लौंग', 'अचार', 'gehun atta', 'haldi powder', 'lal mirch', 'jeera', 'sarson tel'], variants: ['', 'चक्की', 'शुद्ध', 'जैविक', 'प्रीमियम', 'साबुत', 'पिसा हुआ', 'desi', 'organic'] },
      canned: { types: ['रेडी टू ईट दाल मखनी', 'रेडी टू ईट राजमा', 'इंस्टेंट नूडल्स', 'गुलाब जामुन मिक्स', 'इडली मिक्स', 'डोसा मिक्स', 'सेवइयां', 'पापड़', 'shishu aahar', 'maggi noodles'], variants: ['', 'मसाला', 'तीखा', 'फैमिली पैक', 'instant'] },
      dairy: { types: ['दूध', 'टोंड दूध', 'फुल क्रीम दूध', 'दही', 'पनीर', 'देसी घी', 'गाय का घी', 'मक्खन', 'छाछ', 'लस्सी', 'अंडे', 'खोया', 'श्रीखंड', 'doodh', 'dahi', 'paneer', 'desi ghee', 'ande'], variants: ['', 'ताज़ा', 'शुद्ध', 'मलाई', 'लो फैट', 'taaza', 'shudh'] },
      fresh: { types: ['आलू', 'प्याज़', 'टमाटर', 'भिंडी', 'लौकी', 'करेला', 'पालक', 'धनिया पत्ती', 'हरी मिर्च', 'अदरक', 'लहसुन', 'केला', 'आम', 'सेब', 'अमरूद', 'चिकन', 'मटन', 'मछली', 'पाव', 'aloo', 'pyaz', 'tamatar', 'bhindi', 'palak', 'kela', 'seb'], variants: ['', 'ताज़ा', 'देसी', 'जैविक', 'taaza', 'desi'] },
      frozen: { types: ['फ्रोज़न मटर', 'फ्रोज़न पराठा', 'आइसक्रीम', 'कुल्फी', 'फ्रोज़न समोसा', 'फ्रोज़न मोमोज़', 'फ्रोज़न आलू टिक्की', 'frozen matar', 'kulfi'], variants: ['', 'मलाई', 'केसर पिस्ता', 'आम', 'वेज', 'family pack'] },
      household: { types: ['कपड़े धोने का पाउडर', 'डिटर्जेंट', 'बर्तन धोने का साबुन', 'फर्श क्लीनर', 'टॉयलेट क्लीनर', 'झाड़ू', 'पोछा', 'प्रेशर कुकर', 'कढ़ाई', 'तवा', 'स्टील के बर्तन', 'थाली सेट', 'गिलास', 'चम्मच', 'अगरबत्ती', 'कपूर', 'bartan sabun', 'jhadu', 'kadhai', 'tawa'], variants: ['', 'नींबू', 'स्टेनलेस स्टील', 'नॉन स्टिक', '5 लीटर', 'सेट', 'steel'] },
      care: { types: ['शैम्पू', 'नारियल तेल', 'बालों का तेल', 'साबुन', 'टूथपेस्ट', 'टूथब्रश', 'फेस वॉश', 'क्रीम', 'काजल', 'मेहंदी', 'च्यवनप्राश', 'आयुर्वेदिक चूर्ण', 'अश्वगंधा', 'त्रिफला', 'बाम', 'दर्द निवारक तेल', 'बुखार की दवा', 'sabun', 'baalon ka tel', 'chyawanprash', 'ashwagandha churna'], variants: ['', 'आयुर्वेदिक', 'हर्बल', 'नीम', 'तुलसी', 'एलोवेरा', 'herbal', 'ayurvedic'] },
      pet: { types: ['कुत्ते का खाना', 'बिल्ली का खाना', 'कुत्ते का पट्टा', 'कुत्ते का बिस्कुट', 'मछली का दाना', 'पक्षियों का दाना', 'kutte ka khana', 'billi ka khana'], variants: ['', 'चिकन', 'पपी', 'एडल्ट', 'adult'] },
      baby: { types: ['बेबी डायपर', 'बेबी वाइप्स', 'दूध की बोतल', 'बेबी साबुन', 'बेबी तेल', 'बेबी पाउडर', 'बच्चों का घुमक्कड़', 'baby diaper', 'bachon ka tel'], variants: ['', 'नवजात', 'स्मॉल', 'मीडियम', 'लार्ज', 'newborn'] },
      general: { types: ['कुर्ता', 'साड़ी', 'सलवार सूट', 'जींस', 'जूते', 'चप्पल', 'हैंडबैग', 'घड़ी', 'चांदी की पायल', 'सोने की चेन', 'चूड़ियां', 'मोबाइल फ़ोन', 'मोबाइल कवर', 'लैपटॉप', 'ईयरफ़ोन', 'किताब', 'खिलौना', 'कुर्सी', 'मेज़', 'बल्ब', 'पंखा', 'क्रिकेट बैट', 'स्कूल बैग', 'kurta', 'saree', 'chappal', 'mobile cover', 'kitab', 'khilona', 'payal'], variants: ['', 'सूती', 'रेशमी', 'पुरुषों के लिए', 'महिलाओं के लिए', 'बच्चों के लिए', 'cotton', 'reshmi'] },
    },
  },
  {
    language: 'ru',
    perClass: 30,
    classes: {
      beverages: { types: ['Минеральная вода', 'Газированная вода', 'Апельсиновый сок', 'Яблочный сок', 'Молотый кофе', 'Кофе в зёрнах', 'Растворимый кофе', 'Чёрный чай', 'Зелёный чай', 'Квас', 'Пиво светлое', 'Вино красное', 'Водка', 'Морс клюквенный', 'Лимонад'], variants: ['', 'Без сахара', 'Негазированная', 'Нектар', 'Листовой', 'Сухое', 'Полусладкое'] },
      snacks: { types: ['Чипсы', 'Сухарики', 'Печенье', 'Молочный шоколад', 'Горький шоколад', 'Конфеты', 'Пряники', 'Вафли', 'Семечки', 'Орехи', 'Зефир', 'Мармелад', 'Халва'], variants: ['', 'Со сметаной и луком', 'С беконом', 'С фундуком', 'Классические', 'Ассорти'] },
      breakfast: { types: ['Овсяные хлопья', 'Мюсли', 'Кукурузные хлопья', 'Гречневая каша', 'Каша быстрого приготовления', 'Сухой завтрак'], variants: ['', 'Геркулес', 'С мёдом', 'Без сахара', 'Шоколадные'] },
      pantry: { types: ['Мука пшеничная', 'Сахар', 'Соль', 'Подсолнечное масло', 'Оливковое масло', 'Гречка', 'Рис', 'Макароны', 'Спагетти', 'Перловка', 'Пшено', 'Майонез', 'Кетчуп', 'Горчица', 'Мёд', 'Уксус', 'Чёрный перец', 'Варенье'], variants: ['', 'Высший сорт', 'Ядрица', 'Рафинированное', 'Нерафинированное', 'Провансаль', 'Йодированная'] },
      canned: { types: ['Тушёнка', 'Шпроты', 'Сайра', 'Зелёный горошек', 'Кукуруза консервированная', 'Сгущёнка', 'Маринованные огурцы', 'Солёные огурцы', 'Томатная паста', 'Лапша быстрого приготовления', 'Икра кабачковая', 'Детское пюре', 'Детская смесь'], variants: ['', 'Говяжья', 'В масле', 'ГОСТ', 'Банка', 'С 6 месяцев'] },
      dairy: { types: ['Молоко', 'Кефир', 'Ряженка', 'Творог', 'Сметана', 'Сливочное масло', 'Сыр Российский', 'Сырок глазированный', 'Йогурт', 'Сливки', 'Яйца куриные', 'Простокваша'], variants: ['', '2,5%', '3,2%', '9%', '20%', 'Отборные', 'Без лактозы', 'Фермерский'] },
      fresh: { types: ['Куриное филе', 'Фарш говяжий', 'Свинина', 'Колбаса докторская', 'Сосиски', 'Сельдь', 'Сёмга', 'Картофель', 'Капуста', 'Морковь', 'Огурцы', 'Помидоры', 'Яблоки', 'Бананы', 'Хлеб Бородинский', 'Батон нарезной', 'Пельмени свежие'], variants: ['', 'Охлаждённый', 'Весовой', 'Нарезка', 'Молодой', 'Фермерские'] },
      frozen: { types: ['Пельмени', 'Вареники с картофелем', 'Блинчики с мясом', 'Мороженое пломбир', 'Эскимо', 'Замороженные овощи', 'Замороженная пицца', 'Рыбные палочки', 'Котлеты замороженные', 'Сырники замороженные'], variants: ['', 'Сибирские', 'Домашние', 'Ванильное', 'В вафельном стаканчике', 'Смесь'] },
      household: { types: ['Стиральный порошок', 'Жидкое средство для стирки', 'Кондиционер для белья', 'Средство для мытья посуды', 'Таблетки для посудомоечной машины', 'Чистящее средство', 'Туалетная бумага', 'Бумажные полотенца', 'Мешки для мусора', 'Сковорода', 'Кастрюля', 'Бокалы для вина', 'Тарелки', 'Столовые приборы', 'Швабра'], variants: ['', 'Автомат', 'Лимон', 'Двухслойная', 'С антипригарным покрытием', 'Набор', '60 л'] },
      care: { types: ['Шампунь', 'Бальзам для волос', 'Гель для душа', 'Дезодорант', 'Зубная паста', 'Зубная щётка', 'Крем для лица', 'Солнцезащитный крем', 'Бритвенные станки', 'Прокладки', 'Обезболивающее', 'Пластырь', 'Губная помада', 'Тушь для ресниц', 'Витамины'], variants: ['', 'Для чувствительной кожи', 'Против перхоти', 'Мужской', 'SPF 50', 'Отбеливающая'] },
      pet: { types: ['Корм для собак', 'Корм для кошек', 'Наполнитель для кошачьего туалета', 'Лакомство для собак', 'Поводок', 'Игрушка для кошек', 'Корм для рыбок', 'Корм для попугаев'], variants: ['', 'Сухой', 'Влажный', 'Для котят', 'С курицей', 'Комкующийся'] },
      baby: { types: ['Подгузники', 'Детские влажные салфетки', 'Бутылочка для кормления', 'Соска-пустышка', 'Детский крем', 'Детский шампунь', 'Детская коляска', 'Автокресло', 'Слюнявчик'], variants: ['', 'Размер 3', 'Размер 4', 'Для новорождённых', '0-6 месяцев'] },
      general: { types: ['Футболка мужская', 'Джинсы женские', 'Кроссовки', 'Сумка', 'Наручные часы', 'Серебряная цепочка', 'Чехол для телефона', 'Смартфон', 'Ноутбук', 'Наушники беспроводные', 'Книга', 'Конструктор', 'Офисное кресло', 'Настольная лампа', 'Дрель', 'Чемодан', 'Футбольный мяч', 'Шины зимние', 'Тетрадь', 'Воздушные шары', 'Постельное бельё'], variants: ['', 'Чёрный', 'Синий', 'Размер M', 'Размер 42', 'Для мужчин', 'Для женщин', 'Детский'] },
    },
  },
  {
    language: 'zh',
    perClass: 30,
    classes: {
      beverages: { types: ['矿泉水', '苏打水', '橙汁', '苹果汁', '绿茶', '乌龙茶', '普洱茶', '茉莉花茶', '速溶咖啡', '咖啡豆', '啤酒', '白酒', '红酒', '可乐', '豆奶饮料'], variants: ['', '无糖', '原味', '低糖', '特级', '罐装', '瓶装'] },
      snacks: { types: ['薯片', '饼干', '巧克力', '糖果', '瓜子', '花生', '坚果', '牛肉干', '辣条', '海苔', '月饼', '蛋卷', '果冻'], variants: ['', '原味', '香辣', '烧烤味', '五香', '礼盒装', '独立包装'] },
      breakfast: { types: ['燕麦片', '麦片', '玉米片', '即食燕麦', '谷物早餐', '黑芝麻糊'], variants: ['', '无糖', '即食', '坚果', '原味'] },
      pantry: { types: ['大米', '东北大米', '面粉', '挂面', '酱油', '生抽', '老抽', '香醋', '陈醋', '花生油', '菜籽油', '芝麻油', '白糖', '盐', '花椒', '八角', '豆瓣酱', '老干妈辣酱', '味精'], variants: ['', '特级', '有机', '五常', '非转基因', '古法', '家庭装'] },
      canned: { types: ['蚝油', '方便面', '泡面', '午餐肉', '豆豉鲮鱼', '黄桃罐头', '榨菜', '腐乳', '八宝粥', '速食米饭', '自热火锅', '螺蛳粉', '婴儿配方奶粉'], variants: ['', '红烧牛肉', '麻辣', '酸辣', '罐装', '桶装', '1段'] },
      dairy: { types: ['纯牛奶', '酸奶', '鲜牛奶', '奶酪', '黄油', '鸡蛋', '土鸡蛋', '奶粉', '豆浆', '乳酸菌饮品'], variants: ['', '全脂', '脱脂', '低脂', '原味', '草莓味', '30枚'] },
      fresh: { types: ['猪肉', '五花肉', '牛肉', '鸡胸肉', '鸡翅', '鲈鱼', '虾', '豆腐', '白菜', '青菜', '西红柿', '黄瓜', '土豆', '苹果', '香蕉', '葡萄', '馒头', '包子'], variants: ['', '新鲜', '冷鲜', '散装', '有机', '每斤'] },
      frozen: { types: ['速冻水饺', '汤圆', '馄饨', '冰淇淋', '雪糕', '速冻包子', '鱼丸', '虾饺', '冷冻薯条', '速冻玉米'], variants: ['', '猪肉白菜', '芝麻', '三鲜', '香草味', '家庭装'] },
      household: { types: ['洗衣液', '洗衣粉', '洗洁精', '消毒液', '卫生纸', '抽纸', '厨房纸巾', '垃圾袋', '炒锅', '不粘锅', '菜刀', '筷子', '碗', '盘子', '玻璃杯', '拖把'], variants: ['', '薰衣草', '柠檬', '三层', '加厚', '不锈钢', '套装'] },
      care: { types: ['洗发水', '护发素', '沐浴露', '牙膏', '牙刷', '面霜', '洗面奶', '防晒霜', '口红', '面膜', '卫生巾', '剃须刀', '感冒药', '创可贴', '维生素'], variants: ['', '去屑', '控油', '敏感肌', '美白', '男士', 'SPF50'] },
      pet: { types: ['狗粮', '猫粮', '猫砂', '宠物零食', '狗绳', '猫抓板', '鱼食', '宠物窝'], variants: ['', '成犬', '幼猫', '鸡肉味', '豆腐猫砂'] },
      baby: { types: ['纸尿裤', '拉拉裤', '婴儿湿巾', '奶瓶', '奶嘴', '婴儿推车', '儿童安全座椅', '婴儿洗发水', '口水巾'], variants: ['', 'L码', 'XL码', '新生儿', '0-6个月'] },
      general: { types: ['男士T恤', '女士连衣裙', '运动鞋', '双肩包', '手提包', '手表', '银项链', '手机壳', '智能手机', '笔记本电脑', '无线耳机', '图书', '积木玩具', '办公椅', '台灯', '电钻', '行李箱', '篮球', '轮胎', '笔记本', '气球', '床上四件套'], variants: ['', '黑色', '蓝色', 'M码', '42码', '男款', '女款', '儿童'] },
    },
  },
  {
    language: 'ja',
    perClass: 30,
    classes: {
      beverages: { types: ['ミネラルウォーター', '炭酸水', '緑茶', '麦茶', 'ほうじ茶', '缶コーヒー', 'インスタントコーヒー', 'オレンジジュース', 'ビール', '日本酒', '焼酎', '梅酒', 'スポーツドリンク', '抹茶'], variants: ['', '無糖', '微糖', 'ペットボトル', '純米', '辛口', '2L'] },
      snacks: { types: ['ポテトチップス', 'せんべい', 'チョコレート', 'クッキー', 'グミ', 'キャンディ', 'あられ', 'ナッツ', 'ようかん', 'まんじゅう', 'どら焼き', 'スナック菓子'], variants: ['', 'うすしお', 'のりしお', 'コンソメ', '抹茶味', '詰め合わせ', '個包装'] },
      breakfast: { types: ['シリアル', 'グラノーラ', 'オートミール', 'コーンフレーク', 'ホットケーキミックス', '食パン'], variants: ['', 'フルーツ', '砂糖不使用', 'プレーン', '全粒粉'] },
      pantry: { types: ['米', 'コシヒカリ', '醤油', 'みりん', '料理酒', '酢', 'サラダ油', 'ごま油', '砂糖', '塩', 'だしの素', 'カレールー', '小麦粉', 'パスタ', 'うどん乾麺', 'そば', 'マヨネーズ', 'ソース'], variants: ['', '濃口', '薄口', '減塩', '白味噌', '赤味噌', '無洗米', '5kg'] },
      canned: { types: ['味噌', 'カップラーメン', 'インスタントラーメン', 'ツナ缶', 'サバ缶', 'コーン缶', 'レトルトカレー', '梅干し', '漬物', '味噌汁インスタント', 'お茶漬け', 'ふりかけ', '粉ミルク'], variants: ['', 'しょうゆ味', 'とんこつ', '中辛', '甘口', '5食パック'] },
      dairy: { types: ['牛乳', 'ヨーグルト', 'チーズ', 'バター', '生クリーム', '卵', 'プリン', '豆乳', '飲むヨーグルト'], variants: ['', '低脂肪', 'プレーン', '10個入り', '無調整', '加糖'] },
      fresh: { types: ['豚バラ肉', '牛肉切り落とし', '鶏もも肉', '鮭切り身', '刺身', 'まぐろ', '豆腐', '納豆', 'キャベツ', '大根', 'ねぎ', 'トマト', 'りんご', 'みかん', 'バナナ', 'しいたけ', 'おにぎり', '弁当'], variants: ['', '国産', '新鮮', '絹ごし', '木綿', '3パック', '1パック'] },
      frozen: { types: ['冷凍餃子', '冷凍チャーハン', '冷凍うどん', 'アイスクリーム', '冷凍枝豆', '冷凍から揚げ', '冷凍たこ焼き', '冷凍ピザ', '冷凍野菜ミックス'], variants: ['', 'バニラ', '抹茶', '業務用', '大容量'] },
      household: { types: ['洗濯洗剤', '柔軟剤', '食器用洗剤', 'トイレ用洗剤', 'ティッシュペーパー', 'トイレットペーパー', 'キッチンペーパー', 'ゴミ袋', 'フライパン', '鍋', '包丁', '箸', '茶碗', 'グラス', 'スポンジ'], variants: ['', '詰め替え', '無香料', '5箱', '45L', 'ステンレス', 'セット'] },
      care: { types: ['シャンプー', 'コンディショナー', 'ボディソープ', '歯磨き粉', '歯ブラシ', '化粧水', '乳液', '日焼け止め', '口紅', 'マスカラ', 'ファンデーション', '生理用ナプキン', '風邪薬', '目薬', '絆創膏'], variants: ['', '敏感肌用', 'メンズ', 'しっとり', 'さらさら', 'SPF50+', '詰め替え'] },
      pet: { types: ['ドッグフード', 'キャットフード', '猫砂', 'ペットシーツ', '犬用おやつ', '猫用おもちゃ', '首輪', '金魚のえさ'], variants: ['', '成犬用', '子猫用', 'チキン味', '小粒'] },
      baby: { types: ['紙おむつ', 'おしりふき', '哺乳瓶', 'おしゃぶり', 'ベビーカー', 'チャイルドシート', 'ベビーローション', 'よだれかけ'], variants: ['', 'Mサイズ', 'Lサイズ', '新生児用', 'テープ'] },
      general: { types: ['メンズTシャツ', 'レディースワンピース', 'スニーカー', 'リュック', 'ハンドバッグ', '腕時計', 'ネックレス', 'スマホケース', 'スマートフォン', 'ノートパソコン', 'ワイヤレスイヤホン', '文庫本', '漫画', 'ブロック玩具', 'オフィスチェア', 'デスクライト', '電動ドリル', 'スーツケース', 'サッカーボール', 'タイヤ', 'ノート', '布団'], variants: ['', 'ブラック', 'ネイビー', 'Mサイズ', '26cm', 'メンズ', 'レディース', 'キッズ'] },
    },
  },
];

/** Every table as classes of the generator: one family per language and class, marked with its language. */
export const LANGUAGE_VOCABULARY: ClassVocabulary[] = TABLES.flatMap((table) =>
  (Object.keys(CLASSES) as ClassKey[]).map((key) => {
    const { level1, level2, size, brands } = CLASSES[key];
    const { types, variants } = table.classes[key];
    return { level1, level2, target: table.perClass, families: [{ types, brands, variants, size, language: table.language }] };
  }),
);
